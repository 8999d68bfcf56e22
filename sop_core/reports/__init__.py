"""What people read and download: charts (``charts``), plan exports (``exports``), the
meeting pack (``pack``, ``meeting_pack``) and the company workbook (``workbook``)."""
