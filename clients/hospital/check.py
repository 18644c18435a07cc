#!/usr/bin/env python3
"""Green-channel check at a hospital's registration window (绿色通道核验).

The clerk types the patient's ID number; the answer is eligible or not, and for a card
holder the card number and the surname to compare with the person at the window. Nothing
else is shown, and every check is logged by Nuanxin.

    NUANXIN_URL=… NUANXIN_CLIENT_ID=… NUANXIN_CLIENT_SECRET=… python3 check.py 41100219620412005X
    python3 check.py            # asks for ID numbers one after another (empty line ends)

Exit codes (for one ID number): 0 eligible, 1 not eligible, 2 error.
Standard library only (Python 3.8+).
"""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from nuanxin_client import ApiError, Client, Operation  # noqa: E402

VERIFY = Operation(os.path.join(os.path.dirname(os.path.abspath(__file__)), "verify.graphql"))
ID_NUMBER = re.compile(r"^\d{17}[\dXx]$")


def check(client, id_number):
    id_number = id_number.strip().upper()
    if not ID_NUMBER.match(id_number):
        print("身份证号应为18位（最后一位可以是X），请核对后重新输入")
        return 2
    try:
        answer = client.run(VERIFY, {"idNumber": id_number})["verifyGreenChannel"]
    except ApiError as e:
        print(f"核验失败，请稍后再试（{e.code}）")
        return 2
    if answer["eligible"]:
        print(f"可走绿色通道：卡号 {answer['cardNumber']}，姓 {answer['surname']}（请核对本人）")
        return 0
    print("不在绿色通道名单内，请按普通流程挂号")
    return 1


def main():
    client = Client.from_env()
    if len(sys.argv) > 1:
        return check(client, sys.argv[1])
    while True:
        try:
            line = input("身份证号：")
        except EOFError:
            return 0
        if not line.strip():
            return 0
        check(client, line)


if __name__ == "__main__":
    sys.exit(main())
