"""Four-level dispute screening (四级排查).

Decisions worth knowing:
- Who reports is decided by role and home area: a village/community's village cadre, a
  grid's grid worker, a unit's unit head. When a round opens it expects a report from each
  area of its tree that has such a person; an area with nobody is counted apart
  ("nobody to report") and a village cadre or a leader may still report for it, as for any
  area of their jurisdiction, on its behalf (recorded as such).
- A report filed after the deadline is accepted and marked late; so is one filed after the
  round closed (marked as such too). A second zero report for the same round is refused;
  findings may be added to a filed report while the round is open.
- A finding is a case of channel 排查 in its place, registered by the reporter, or a matter
  handled on the spot (no case). A dispute needs its applicant, found with the intake's
  person search; a matter with no party known yet is a hazard (矛盾隐患), never silently
  turned into another kind, so that the dispute figures and their deadlines stay true.
- Regular rounds (every half month) are opened by the daily pass when the policy (admin)
  says so, idempotently; leaders open special rounds (before holidays, sensitive dates).
"""
