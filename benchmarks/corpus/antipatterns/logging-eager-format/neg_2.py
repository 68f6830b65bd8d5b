def show(count: int) -> str:
    return f"processed {count} items"
