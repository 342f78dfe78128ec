"""Demo data for the integrity of the last tranche: verified claims and a clean spot check."""

from __future__ import annotations

from backend.accounts.access import load_actor
from backend.employment.models import EmploymentRecord
from backend.employment.outcomes import enrolled_trainees, latest_outcomes
from backend.employment.verification import CheckMethod, Decision, verify_outcome
from backend.subsidies.spotcheck import draw_spot_check, record_check


async def seed_verified_claims(*, class_id: int, hr_user_id: int) -> int:
    """HR verifies the class's claims (insurance records given) and spot-checks them; how many."""
    actor = await load_actor(hr_user_id)
    latest = await latest_outcomes(await enrolled_trainees(class_id))
    claims = [r for r in latest.values() if r.employed]
    for n, record in enumerate(claims, start=1):
        await EmploymentRecord.filter(id=record.id).update(
            insurance_record_no=f"FZSB-DEMO-{record.trainee_id:06d}",
            insurance_month="2026-03",
            employer_contact="人事部",
            employer_phone=f"0591876500{n:02d}",
        )
        decision = Decision(verified=True, methods=(CheckMethod.INSURANCE_RECORD,))
        await verify_outcome(actor=actor, record_id=record.id, decision=decision)
    sample = await draw_spot_check(actor=actor, class_id=class_id)
    for item in sample.items:
        await record_check(
            actor=actor, item_id=item.id, confirmed=True, methods=(CheckMethod.CALL_BACK,)
        )
    return len(claims)
