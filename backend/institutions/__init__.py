"""The institution registry (第五、七条): qualifications, contract, standing, suspension."""
