"""What the democratic review tests share: a committee's members and their review rows, the
rating sheet's address and rows, and counting a page's queries."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches.models import Member
from evaluations.reviews.models import MemberReview
from tests.factories import MemberFactory


def populate(committee, n: int) -> list[Member]:
    """`n` members spread over the committee's urban branch and current villages; the first
    of each branch is its secretary."""
    branches = [committee.urban, *(m.village for m in
                                   committee.memberships.filter(left_on__isnull=True))]
    return [
        MemberFactory(branch=branches[i % len(branches)],
                      role=Member.Role.SECRETARY if i < len(branches) else Member.Role.MEMBER)
        for i in range(n)
    ]


def reviews_of(review_round, committee) -> list[MemberReview]:
    return list(MemberReview.objects.filter(round=review_round, committee=committee)
                .order_by("member__name"))


def rate(review_round, committee, ratings: list[str]) -> list[MemberReview]:
    rows = reviews_of(review_round, committee)
    for row, rating in zip(rows, ratings, strict=False):
        row.rating, row.basis = rating, "赞成票 10/12"
        row.save()
    return rows


def sheet_url(review_round, committee) -> str:
    return reverse("review_sheet", args=[review_round.pk, committee.code])


def row_html(body: str, pk: int) -> str:
    return re.search(rf'<tr id="row-{pk}"[^>]*>.*?</tr>', body, re.S).group(0)


def count_queries(client, method: str, url: str, data: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {})
    assert response.status_code in (200, 302)
    return len(ctx.captured_queries)
