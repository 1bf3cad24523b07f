"""Supervision (链上监管): rules over the gateway's records open cases on chain; the office
orders rectification, the department rectifies and reports, the office accepts or reopens."""
