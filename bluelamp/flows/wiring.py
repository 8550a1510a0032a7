"""How the lower layers are told whom to ask, since none of them imports a higher one.

- ``delivery`` asks the contact rules when a retry may go and tells them when a message
  cannot be delivered (``surveys.sending.SurveySendPolicy``);
- ``delivery`` hands each text received to ``flows.replies.reply_handle``;
- ``surveys`` tells the live view's counts of each invitation sent
  (``insights.rollups.sending_count``);
- ``care`` tells ``investigations`` of each crime pushed, which opens its basics checklist
  (``investigations.services.crime_basics_open``) and counts it by outcome
  (``investigations.outcome_rollups.crime_outcome_count``), and of each event recorded,
  which moves the crime to its outcome's group (``outcome_event_count``); and
  ``prevention``, which links a residential burglary to the zones it falls in and opens
  its own (``prevention.services.crime_zone_open``);
- ``prevention`` tells ``investigations`` of each cocooning task done, which meets the
  burglary's ``neighbours_warned`` basic where its checklist has one (``neighbours_warned``).
"""

from bluelamp.care import services as care_services
from bluelamp.delivery.inbound import reply_handler_set
from bluelamp.delivery.policy import send_policy_set
from bluelamp.flows.replies import reply_handle
from bluelamp.insights.rollups import sending_count
from bluelamp.investigations.outcome_rollups import crime_outcome_count, outcome_event_count
from bluelamp.investigations.services import basics_meet, crime_basics_open
from bluelamp.prevention import services as prevention_services
from bluelamp.prevention.models import CocooningTask
from bluelamp.surveys import sending
from bluelamp.surveys.models import Invitation


def _count_sent(invitation: Invitation) -> None:
    sending_count(invitation, invitation.stage)


def neighbours_warned(task: CocooningTask, actor: str) -> None:
    """A cocooning task done meets its burglary's ``neighbours_warned`` basic, at its time."""
    assert task.done_at is not None
    basics_meet(
        crime=task.zone.crime, item="neighbours_warned", at=task.done_at, by=task.done_by,
        rationale=f"{task.homes_visited} homes visited, {task.leaflets} leaflets: {task.advice}",
        actor=actor,
    )  # fmt: skip


def connect() -> None:
    """Connect the layers (once, at start-up; harmless when repeated)."""
    send_policy_set(sending.SurveySendPolicy())
    reply_handler_set(reply_handle)
    if _count_sent not in sending.SENT_LISTENERS:
        sending.SENT_LISTENERS.append(_count_sent)
    if crime_basics_open not in care_services.CRIME_LISTENERS:
        care_services.CRIME_LISTENERS.append(crime_basics_open)
    if crime_outcome_count not in care_services.CRIME_LISTENERS:
        care_services.CRIME_LISTENERS.append(crime_outcome_count)
    if outcome_event_count not in care_services.EVENT_LISTENERS:
        care_services.EVENT_LISTENERS.append(outcome_event_count)
    if prevention_services.crime_zone_open not in care_services.CRIME_LISTENERS:
        care_services.CRIME_LISTENERS.append(prevention_services.crime_zone_open)
    if neighbours_warned not in prevention_services.TASK_DONE_LISTENERS:
        prevention_services.TASK_DONE_LISTENERS.append(neighbours_warned)
