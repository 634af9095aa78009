"""Trading logic the UI drives but that has no Qt in it: order entry (orderform) and the rows of
the order book view (book_rows). Plain Python, tested without a GUI (architecture rule 1)."""
