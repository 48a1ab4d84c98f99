"""Appointments with an adviser: the advisers' calendar file (``config``),
which slots it allows (``calendar``, ``holidays``), French dates and phone
numbers people type (``dates``, ``phone``), reservations in Redis
(``reservations``, and ``appointments`` which keeps reminders in step),
reminders (``reminders``), what the person reads (``wording``) and the
``.ics`` file (``ics``)."""
