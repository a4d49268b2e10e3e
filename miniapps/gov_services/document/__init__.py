"""The service item document (事项配置): the data that configures one 政务服务事项 with no
code per item, and the pure logic over it.

Reading: `parse_document` (shape, 422 listing every place), `published_document` (the
same, once per published version), `problems_in` /
`require_publishable` (everything checked before publishing). Answers: `visible_fields`,
`check_answers`. Applicants: `check_eligibility`, `required_materials`, `prefill_values`.
Steps: `first_step`, `next_step`, `allowed_actions`. Versions: `canonical_bytes`,
`document_sha256`, `diff_documents`, `document_json_schema`.

Every problem is a `FieldError` whose `field` is a JSON pointer: into the answers
(`/answers/spouse/id_card`), or into the document (`/steps/2/role`)."""

from miniapps.gov_services.document.answers import check_answers, visible_fields
from miniapps.gov_services.document.canonical import (
    Change,
    canonical_bytes,
    diff_documents,
    document_json,
    document_json_schema,
    document_sha256,
)
from miniapps.gov_services.document.chain import allowed_actions, first_step, next_step
from miniapps.gov_services.document.facts import (
    Facts,
    check_eligibility,
    prefill_values,
    required_materials,
)
from miniapps.gov_services.document.form import (
    Condition,
    Effect,
    Form,
    FormUi,
    Page,
    Rule,
    Texts,
    Widget,
)
from miniapps.gov_services.document.model import (
    ACTIONS_OF,
    EligibilityRule,
    ImplementingOrg,
    ItemDocument,
    Material,
    Prefill,
    Step,
    StepKind,
)
from miniapps.gov_services.document.parse import (
    parse_document,
    published_document,
    remembered_document,
)
from miniapps.gov_services.document.problems import ALL_ROLES, problems_in, require_publishable

__all__ = [
    "ACTIONS_OF",
    "ALL_ROLES",
    "Change",
    "Condition",
    "Effect",
    "EligibilityRule",
    "Facts",
    "Form",
    "FormUi",
    "ImplementingOrg",
    "ItemDocument",
    "Material",
    "Page",
    "Prefill",
    "Rule",
    "Step",
    "StepKind",
    "Texts",
    "Widget",
    "allowed_actions",
    "canonical_bytes",
    "check_answers",
    "check_eligibility",
    "diff_documents",
    "document_json",
    "document_json_schema",
    "document_sha256",
    "first_step",
    "next_step",
    "parse_document",
    "prefill_values",
    "problems_in",
    "published_document",
    "remembered_document",
    "require_publishable",
    "required_materials",
    "visible_fields",
]
