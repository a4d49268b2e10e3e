"""Legal services (法律服务, like 12348): the directory of legal stations and lawyers on
duty, consultations answered by them, and people's mediation (人民调解)."""

from backend.sdk import Cron, JobContext, Manifest, Role, Section, Subscription, Tile
from miniapps.legal_aid.controllers import router
from miniapps.legal_aid.demo import seed_demo_desk
from miniapps.legal_aid.escalation import escalate_overdue
from miniapps.legal_aid.mediation import INVITED_EVENT, PartyInvited
from miniapps.legal_aid.mediation_sweep import sweep_mediations, text_invitation
from miniapps.legal_aid.runtime import LegalRuntime, start_legal


async def escalate_consultations(job: JobContext) -> int:
    """Escalate every question past its time and still unanswered."""
    return await escalate_overdue(job.services.runtime(LegalRuntime))


MINIAPP = Manifest(
    id="legal_aid",
    version="0.1.0",
    names={"zh-CN": "法律服务", "en": "Legal services"},
    descriptions={
        "zh-CN": "在线法律咨询,值班律师答复;人民调解",
        "en": "Legal questions answered by lawyers on duty; people's mediation",
    },
    icon="legal",
    tiles=[
        Tile(
            id="consult",
            titles={"zh-CN": "法律咨询", "en": "Ask a lawyer"},
            icon="legal",
            target="native:legal_aid/consult",
            roles=frozenset({Role.RESIDENT}),
            section=Section.SERVICES,
            order=8,
        ),
        Tile(
            id="queue",
            titles={"zh-CN": "咨询待办", "en": "Questions"},
            icon="legal",
            target="native:legal_aid/queue",
            roles=frozenset({Role.LAWYER, Role.LEGAL_WORKER}),
            section=Section.WORK,
            order=6,
        ),
        Tile(
            id="mediation",
            titles={"zh-CN": "人民调解", "en": "Mediation"},
            icon="legal",
            target="native:legal_aid/mediation",
            roles=frozenset({Role.RESIDENT}),
            section=Section.SERVICES,
            order=9,
        ),
        Tile(
            id="committee",
            titles={"zh-CN": "调解待办", "en": "Mediations"},
            icon="legal",
            target="native:legal_aid/committee",
            roles=frozenset({Role.MEDIATOR}),
            section=Section.WORK,
            order=7,
        ),
    ],
    router=router,
    piccolo_app="miniapps.legal_aid.piccolo_app",
    crons=[
        Cron(name="escalate", run=escalate_consultations, second=frozenset({15})),
        Cron(name="mediation_sweep", run=sweep_mediations, second=frozenset({45})),
    ],
    emits={INVITED_EVENT: PartyInvited},
    subscribes=[Subscription(INVITED_EVENT, text_invitation, "legal_aid.text_invitation")],
    on_start=start_legal,
    provides={"legal": LegalRuntime},
    demo=seed_demo_desk,
)
