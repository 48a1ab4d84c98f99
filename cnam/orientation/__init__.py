"""Orientation: the person's profile (``profile``), the CNAM catalog
(``catalog``), who can pay (``funding``), which offers first and why
(``ranking``), how an offer is shown (``cards``), the ways in when the catalog
alone does not answer (``ways_in``) and the questions for people who do not
know their field (``discovery``)."""
