"""The seawall test lab (run as ``scripts/lab.sh``)."""
