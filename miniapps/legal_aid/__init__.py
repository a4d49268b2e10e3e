"""Legal services (法律服务, like 12348): the directory of legal stations and lawyers on
duty, and consultations answered by them."""

from backend.sdk import Cron, JobContext, Manifest, Role, Section, Tile
from miniapps.legal_aid.controllers import router
from miniapps.legal_aid.demo import seed_demo_desk
from miniapps.legal_aid.escalation import escalate_overdue
from miniapps.legal_aid.runtime import LegalRuntime, start_legal


async def escalate_consultations(job: JobContext) -> int:
    """Escalate every question past its time and still unanswered."""
    return await escalate_overdue(job.services.runtime(LegalRuntime))


MINIAPP = Manifest(
    id="legal_aid",
    version="0.1.0",
    names={"zh-CN": "法律服务", "en": "Legal services"},
    descriptions={
        "zh-CN": "在线法律咨询,值班律师答复",
        "en": "Legal questions answered by lawyers on duty",
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
    ],
    router=router,
    piccolo_app="miniapps.legal_aid.piccolo_app",
    crons=[Cron(name="escalate", run=escalate_consultations, second=frozenset({15}))],
    on_start=start_legal,
    provides={"legal": LegalRuntime},
    demo=seed_demo_desk,
)
