"""Supervision orders (督办单).

Decisions worth knowing:
- An automatic order on an overdue case goes to the case's handler (person, team or agency);
  when nobody handles the case yet it goes to the dispatchers over the case ("centre"),
  any of whom, or a leader, may reply.
- Changes the system makes (automatic orders, escalations) are entered on the case timeline
  under an inactive system account without a usable password or any role; their audit rows
  have no actor.
- A reply is on time when it comes by the current reply deadline and the order was never
  escalated. Figures count the orders issued in the period, withdrawn ones left out;
  on-time rate = replied on time ÷ received.
- The menu shows Supervision to leaders and dispatchers, and to anyone with an open order to
  reply to.
"""
