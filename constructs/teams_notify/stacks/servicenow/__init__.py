"""ServiceNow side: table catalog and the constructs that write records."""
