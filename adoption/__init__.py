"""Programme-level adoption reporting: rollups, measures, dashboard, exports, report."""
