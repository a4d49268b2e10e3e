"""Legal services (法律服务, like 12348): the directory of legal stations and lawyers on
duty, consultations answered by them, legal-aid cases (法律援助) opened by the service
engine's grants, and people's mediation (人民调解)."""

from backend.sdk import (
    APPLICATION_MOVED,
    Cron,
    JobContext,
    Manifest,
    Role,
    Section,
    Subscription,
    Tile,
)
from miniapps.legal_aid.aid_cases import is_granted, open_case
from miniapps.legal_aid.aid_sweep import sweep_cases
from miniapps.legal_aid.controllers import router
from miniapps.legal_aid.demo import seed_demo_desk
from miniapps.legal_aid.escalation import escalate_overdue
from miniapps.legal_aid.mediation import INVITED_EVENT, PartyInvited
from miniapps.legal_aid.mediation_sweep import sweep_mediations, text_invitation
from miniapps.legal_aid.refusals import is_refused, keep_refusal
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
        Cron(name="case_sweep", run=sweep_cases, second=frozenset({50})),
    ],
    emits={INVITED_EVENT: PartyInvited},
    subscribes=[
        Subscription(INVITED_EVENT, text_invitation, "legal_aid.text_invitation"),
        Subscription(APPLICATION_MOVED, open_case, "legal_aid.open_case", when=is_granted),
        Subscription(APPLICATION_MOVED, keep_refusal, "legal_aid.keep_refusal", when=is_refused),
    ],
    on_start=start_legal,
    provides={"legal": LegalRuntime},
    demo=seed_demo_desk,
)
