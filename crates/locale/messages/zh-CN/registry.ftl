### 档案: 行政区划、身份证号、家庭与成员。
# 行政区划代码
region-code-length = 行政区划代码应为 6、9 或 12 位数字, 现在是 { $found } 位
region-code-digits = 行政区划代码只能是数字
region-code-province = { $code } 不是行政区划代码: 省级部分不能是 00
# 公民身份号码
id-number-length = 身份证号应为 18 位, 现在是 { $found } 位
id-number-not-a-digit = 身份证号第 { $position } 位应为数字
id-number-last-character = 身份证号第18位应为数字或 X
id-number-birth-date = 身份证号中的出生日期 { $date } 不存在, 请核对
id-number-check-character = 身份证号第18位校验码应为 { $expected }, 现在是 { $found }, 可能有一位输错了, 请核对
# 家庭档案状态
family-status-registered = 已登记
family-status-verified = 已核实
family-status-active = 享受中
family-status-suspended = 暂停
family-status-moved_out = 已迁出
family-status-closed = 已终止
family-status-illegal = “{ $from }”的家庭不能改为“{ $to }”; 只能改为: { $allowed }
family-status-final = “{ $from }”的档案已终止, 不能再改为“{ $to }”
family-status-needs-reason = 变更档案状态需要填写原因
family-status-bad-reason = 变更原因: { $reason }
# 建档
family-region-level = 家庭档案应建在乡镇(街道)或村(社区)一级
family-region-outside-city = { $region } 不在本市 ({ $city }) 范围内
family-needs-member = 家庭至少要有一名成员
id-number-born-in-future = 这个身份证号中的出生日期在今天之后, 请核对号码
id-number-mother-is-male = 这个身份证号是男性的 (第17位为单数), 请核对号码或成员身份
id-number-father-is-female = 这个身份证号是女性的 (第17位为双数), 请核对号码或成员身份
id-number-twice-in-family = 同一个身份证号在这户家庭中出现了两次
phone-format = 电话应为11位手机号, 或带区号的固定电话
death-date-in-future = 死亡日期不能晚于今天
# 成员身份
member-role-father = 父亲
member-role-mother = 母亲
member-role-grandchild = 第三代
member-role-other = 其他成员
# 资格审核
eligibility-registered-in-city = { $role } ({ $name }) 户籍在 { $region }, 属本市 { $city }
eligibility-no-living-parent = 档案中没有在世的父母
eligibility-not-registered-in-city = 在世的父母户籍都不在本市 { $city }
eligibility-certificate = 《独生子女父母光荣证》{ $no }, { $date }发证
eligibility-certificate-undated = 《独生子女父母光荣证》{ $no } (未登记发证日期)
eligibility-no-certificate = 未登记《独生子女父母光荣证》
eligibility-child-died = 独生子女于{ $date }死亡
eligibility-child-death-in-future = 登记的死亡日期{ $date }晚于今天, 请核对日期
eligibility-child-death-unrecorded = 未登记独生子女死亡信息
eligibility-no-later-child = 未登记再生育或收养
eligibility-later-child = { $date }登记有再生育或收养
region-unknown = { $code } 不是现行的行政区划代码
region-outside-city = { $region } 不在本市范围内
family-region-outside-area = { $region } 不在您的管辖范围内; 家庭档案应由所在地建档
id-number-registered = 此人已经建档; 如需转移档案, 请联系市级管理员
member-fact-needs-evidence = 登记死亡或户籍迁移需要依据: 请填写证明或户籍登记编号
member-deceased = 该成员已去世
move-target-level = 迁入地应为本市的乡镇(街道)或村(社区)
move-date-before-last = 迁移日期不能早于该家庭上一次迁移或建档的日期
# 批量导入
import-col-household = 户号
import-col-regionCode = 村(社区)代码
import-col-honourCertificateNo = 光荣证号
import-col-honourCertificateDate = 光荣证发证日期
import-col-childDeathDate = 独生子女死亡日期
import-col-laterChildDate = 再生育或收养日期
import-col-role = 成员身份
import-col-name = 姓名
import-col-idNumber = 身份证号
import-col-phone = 联系电话
import-col-address = 住址
import-col-hukouRegionCode = 户籍地代码
import-col-deceasedOn = 死亡日期
import-empty = 文件是空的: 第一行应为表头
import-column-missing = 缺少“{ $column }”一列, 请按模板填写
import-too-many-rows = 一次最多导入 { $max } 行, 请分批导入
import-bad-date = 日期“{ $found }”不存在或格式不对, 应写作 2015-03-08
import-bad-role = 成员身份“{ $found }”无法识别, 应为父亲、母亲、第三代或其他成员
import-duplicate-in-file = 这个身份证号与第 { $row } 行重复
import-outside-area = { $region } 不在您的管辖范围内, 不能在这里建档
import-already-registered = 此人已经建档; 如需转移档案, 请联系市级管理员
import-not-a-spreadsheet = 文件不是 XLSX 或 CSV 表格
import-registered-meanwhile = 检查期间有人刚刚为其中某人建档; 本次没有写入, 请重新导入
# 生效日期
effective-in-future = 生效日期不能晚于今天
effective-too-far-back = 生效日期最早只能追溯到{ $earliest } ({ $months } 个月); 更早的请联系市级管理员
