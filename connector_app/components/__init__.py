"""Pieces shared by the portal's pages."""
