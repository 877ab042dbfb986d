"""Several Amazon accounts on one NetSuite: list, add and clone seller accounts in the settings file (comments kept,
a new account inactive), and check one against Amazon and NetSuite before switching it on."""
