"""Readers for the supporting documents: ID card, certificates, licence, fund proof, tables, prose."""
