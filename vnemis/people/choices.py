from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Ethnicity(models.TextChoices):
    """The 54 ethnic groups of Vietnam with the codes of the GSO list (QĐ 121-TCTK, 1979).

    The labels are the official Vietnamese names, a code list rather than UI prose, so they
    are not translated.
    """

    KINH = "01", "Kinh"
    TAY = "02", "Tày"
    THAI = "03", "Thái"
    HOA = "04", "Hoa"
    KHMER = "05", "Khơ-me"
    MUONG = "06", "Mường"
    NUNG = "07", "Nùng"
    HMONG = "08", "H'Mông"
    DAO = "09", "Dao"
    GIA_RAI = "10", "Gia-rai"
    NGAI = "11", "Ngái"
    E_DE = "12", "Ê-đê"
    BA_NA = "13", "Ba-na"
    XO_DANG = "14", "Xơ-đăng"
    SAN_CHAY = "15", "Sán Chay"
    CO_HO = "16", "Cơ-ho"
    CHAM = "17", "Chăm"
    SAN_DIU = "18", "Sán Dìu"
    HRE = "19", "Hrê"
    MNONG = "20", "Mnông"
    RA_GLAI = "21", "Ra-glai"
    XTIENG = "22", "Xtiêng"
    BRU_VAN_KIEU = "23", "Bru-Vân Kiều"
    THO = "24", "Thổ"
    GIAY = "25", "Giáy"
    CO_TU = "26", "Cơ-tu"
    GIE_TRIENG = "27", "Giẻ-Triêng"
    MA = "28", "Mạ"
    KHO_MU = "29", "Khơ-mú"
    CO = "30", "Co"
    TA_OI = "31", "Tà-ôi"
    CHO_RO = "32", "Chơ-ro"
    KHANG = "33", "Kháng"
    XINH_MUN = "34", "Xinh-mun"
    HA_NHI = "35", "Hà Nhì"
    CHU_RU = "36", "Chu-ru"
    LAO = "37", "Lào"
    LA_CHI = "38", "La Chí"
    LA_HA = "39", "La Ha"
    PHU_LA = "40", "Phù Lá"
    LA_HU = "41", "La Hủ"
    LU = "42", "Lự"
    LO_LO = "43", "Lô Lô"
    CHUT = "44", "Chứt"
    MANG = "45", "Mảng"
    PA_THEN = "46", "Pà Thẻn"
    CO_LAO = "47", "Cờ Lao"
    CONG = "48", "Cống"
    BO_Y = "49", "Bố Y"
    SI_LA = "50", "Si La"
    PU_PEO = "51", "Pu Péo"
    BRAU = "52", "Brâu"
    O_DU = "53", "Ơ-đu"
    RO_MAM = "54", "Rơ-măm"
    FOREIGN = "55", "Người nước ngoài"


class StaffPosition(models.TextChoices):
    MANAGER = "cbql", _("Manager (CBQL)")
    TEACHER = "giao_vien", _("Teacher")
    EMPLOYEE = "nhan_vien", _("Support staff")


class Qualification(models.TextChoices):
    """Highest professional qualification (trình độ đào tạo)."""

    INTERMEDIATE = "trung_cap", _("Intermediate (trung cấp)")
    COLLEGE = "cao_dang", _("College (cao đẳng)")
    BACHELOR = "dai_hoc", _("Bachelor (đại học)")
    MASTER = "thac_si", _("Master (thạc sĩ)")
    DOCTOR = "tien_si", _("Doctor (tiến sĩ)")
    OTHER = "khac", _("Other")


class GuardianRelation(models.TextChoices):
    FATHER = "father", _("Father")
    MOTHER = "mother", _("Mother")
    GRANDPARENT = "grandparent", _("Grandparent")
    OTHER = "other", _("Other guardian")


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", _("Studying")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")
    DROPPED_OUT = "dropped_out", _("Dropped out")
    COMPLETED = "completed", _("Completed the year")
    GRADUATED = "graduated", _("Graduated")


class ExitReason(models.TextChoices):
    TRANSFER = "transfer", _("Transfer to another school")
    YEAR_END = "year_end", _("End of the school year")
    FAMILY = "family", _("Family circumstances")
    ECONOMIC = "economic", _("Economic hardship")
    LEARNING = "learning", _("Learning difficulties")
    HEALTH = "health", _("Health")
    MOVED_AWAY = "moved_away", _("Moved away")
    DECEASED = "deceased", _("Deceased")
    OTHER = "other", _("Other")
