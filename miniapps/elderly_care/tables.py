"""Elder profiles and family circles (亲情关联)."""

from piccolo.columns import BigInt, BigSerial, Boolean, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Elder(Table, tablename="elderly_care_elder"):
    """A resident in the city's elderly care, placed in the grid of their home: who may see
    them (their family circle, the care staff over that grid) follows from it."""

    id = BigSerial(primary_key=True)
    user_id = BigInt(unique=True)
    grid_path = Varchar(length=200, index=True)
    living_alone = Boolean(default=False)
    # Who enrolled them, and as what: `self`, or `staff` in the grid's chain.
    enrolled_by = BigInt()
    enrolled_as = Varchar(length=16)
    enrolled_at = Timestamptz(default=TimestamptzNow())
    # Set by care staff: who looks after the elder, and what they should know (sealed:
    # health and family circumstances, for care staff over the grid only).
    care_worker_id = BigInt(null=True, default=None)
    grid_worker_id = BigInt(null=True, default=None)
    risk_notes_sealed = Text(null=True, default=None)


class FamilyBinding(Table, tablename="elderly_care_family_binding"):
    """A family member's place in an elder's circle: asked for by the member, `accepted` by
    the elder or by staff on the elder's behalf (then with the reason), `declined`, or
    `removed` later. One binding per elder and member is open (pending or accepted) at a
    time; ended ones are kept, with who ended them."""

    id = BigSerial(primary_key=True)
    elder_id = BigInt(index=True)
    member_id = BigInt(index=True)
    relation = Varchar(length=20)
    status = Varchar(length=16)
    asked_at = Timestamptz(default=TimestamptzNow())
    decided_at = Timestamptz(null=True, default=None)
    decided_by = BigInt(null=True, default=None)
    # Set when staff decided for the elder (代办): the reason they gave.
    on_behalf_reason = Varchar(length=200, null=True, default=None)
