"""The monthly S&OP process and a company's planning items: the workspace items and their
edits (``workspace``), the cycle of meetings (``cycle``), the monthly tables
(``monthly``), the business plan and its gap (``business_plan``), forecast value added
(``fva``) and the family S&OP sheet (``sop_sheet``). Rules and tables; the store keeps
them."""
