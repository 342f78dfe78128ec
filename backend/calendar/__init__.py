"""The working-day calendar of the 第十八条 deadlines: HR-entered years and working-day answers."""
