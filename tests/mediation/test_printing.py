"""Printing the agreement and the minutes: the parties in full for the printed copy, the
reveal audited, the documents generated for those who may print them."""

from __future__ import annotations

import pytest

from fengqiao.audit.models import AuditEvent
from fengqiao.core import clock
from fengqiao.mediation import printing, services
from tests.fixtures import NOW, dispute, draft, effective_agreement, start


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


# ------------------------------------------------------------------ documents
def test_the_print_data_carries_the_parties_in_full_and_the_reveal_is_audited(town):
    agreement = effective_agreement(town)
    doc = printing.agreement_print_data(actor=town.user("mediator"), agreement=agreement)
    respondent = agreement.parties.get(role="respondent").person
    printed = {p.name: p for p in doc.parties}
    assert printed["赵德福"].id_number == respondent.id_number
    assert printed["赵德福"].role == "被申请人"
    assert doc.number == agreement.number and doc.copies == 3
    assert doc.terms[0].due.endswith("日")
    assert AuditEvent.objects.filter(action="person.reveal", target_id=str(respondent.pk)).exists()


def test_a_grid_worker_may_not_print_the_agreement(town):
    from django.core.exceptions import PermissionDenied

    agreement = effective_agreement(town)
    with pytest.raises(PermissionDenied):
        printing.agreement_document(actor=town.user("grid_worker"), agreement=agreement, fmt="pdf")
    assert AuditEvent.objects.filter(
        action="access.denied",
        outcome="denied",
        details__what="mediation.agreement_document",
        target_id=str(agreement.pk),
    ).exists()


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_the_agreement_and_minutes_documents_are_generated_and_audited(town, fmt):
    mediation = start(town, dispute(town))
    session = services.mediation_session_record(
        actor=town.user("mediator"),
        mediation_id=mediation.pk,
        held_at=NOW,
        place="调解室",
        setting="centre",
        minutes="调解员：请陈述。",
    )
    agreement = draft(town, mediation)
    content = printing.agreement_document(actor=town.user("mediator"), agreement=agreement, fmt=fmt)
    minutes = printing.minutes_document(actor=town.user("mediator"), session=session, fmt=fmt)
    magic = b"PK" if fmt == "docx" else b"%PDF"
    assert content.startswith(magic) and minutes.startswith(magic)
    assert AuditEvent.objects.filter(action="mediation.agreement_document").exists()
    assert AuditEvent.objects.filter(action="mediation.minutes_document").exists()
