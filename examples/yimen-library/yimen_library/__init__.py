"""The community book corner (社区图书角): the whole mini-app contract in one small package."""

from backend.sdk import Cron, Manifest, Role, Section, Subscription, Tile
from yimen_library.controllers import router
from yimen_library.schemas import BookBorrowed
from yimen_library.service import mark_overdue, open_loans, tally_loan

MINIAPP = Manifest(
    id="library",
    version="1.1.0",
    requires_host=">=0.1,<1",
    names={"zh-CN": "图书角", "en": "Book corner"},
    descriptions={"zh-CN": "借阅社区图书", "en": "Borrow books from your community"},
    icon="book",
    tiles=[
        Tile(
            id="borrow",
            titles={"zh-CN": "图书角", "en": "Book corner"},
            icon="book",
            target="native:library/books",
            roles=frozenset({Role.RESIDENT}),
            section=Section.LIFE,
            badge="library.open_loans",
        ),
        Tile(
            id="manage",
            titles={"zh-CN": "图书管理", "en": "Manage books"},
            icon="shelf",
            target="native:library/manage",
            roles=frozenset({Role.COMMUNITY_ADMIN}),
            section=Section.ADMIN,
        ),
        Tile(
            id="new-arrivals",
            titles={"zh-CN": "新书推荐", "en": "New arrivals"},
            icon="star",
            target="h5:https://library.example.org/new",
            roles=frozenset({Role.RESIDENT}),
            section=Section.PROMOTIONS,
            elder=False,
        ),
    ],
    router=router,
    piccolo_app="yimen_library.piccolo_app",
    emits={"library.book_borrowed": BookBorrowed},
    subscribes=[Subscription("library.book_borrowed", tally_loan, "library.tally_loan")],
    crons=[
        Cron(name="mark_overdue", run=mark_overdue, minute=frozenset({5}), second=frozenset({0}))
    ],
    badges={"library.open_loans": open_loans},
)
