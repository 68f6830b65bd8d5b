def digits(n: int) -> str:
    text = ""
    while n:
        text += str(n % 10)
        n //= 10
    return text
