"""Name pools for synthetic people: US family and given names of many origins.

Plain data, packed several names a line. Names with spaces or apostrophes are kept as
registration clerks type them ("O'Brien", "Dela Cruz"); a few keep their accents.
"""

from __future__ import annotations


def _pool(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name.replace("_", " ") for name in text.split()))


FAMILY_NAMES = _pool(
    """
    Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Martin
    Jackson Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Hill
    Green Adams Baker Nelson Carter Mitchell Roberts Turner Phillips Campbell Parker Evans Edwards
    Collins Stewart Morris Rogers Reed Cook Morgan Bell Cooper Richardson Cox Howard Ward Peterson
    Gray James Watson Brooks Sanders Price Bennett Wood Barnes Ross Henderson Coleman Jenkins Perry
    Powell Long Patterson Hughes Washington Butler Simmons Foster Bryant Alexander Russell Griffin
    Hayes Myers Ford Hamilton Graham Sullivan Wallace West Cole Jordan Owens Reynolds Fisher Ellis
    Harrison Gibson Marshall Wells Webb Tucker Porter Hunter Hicks Crawford Henry Boyd Mason Kennedy
    Warren Dixon Burns Gordon Shaw Holmes Rice Robertson Hunt Black Daniels Palmer Mills Grant
    Knight Ferguson Stone Hawkins Dunn Perkins Hudson Spencer Stephens Pierce Jefferson Banks
    Freeman Dorsey Gaines Boone Battle Ware Whitfield Merriweather Langston Pruitt Toussaint
    O'Brien O'Connor O'Neill O'Sullivan O'Donnell O'Malley O'Reilly O'Hara McCarthy McDonald
    McLaughlin MacDonald MacKenzie McGuire Murphy Kelly Ryan Walsh Byrne Doyle Brennan Gallagher
    Fitzgerald Quinn Flanagan Donovan Keane Sheehan
    Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti
    DeLuca D'Angelo Costa Giordano Mancini Lombardi Moretti Barbieri Fontana Santoro Caruso
    DiMaggio LaRosa D'Amico
    Garcia Rodriguez Martinez Hernandez Lopez Gonzalez Perez Sanchez Ramirez Torres Flores Rivera
    Gomez Diaz Cruz Morales Reyes Gutierrez Ortiz Ramos Castillo Jimenez Vasquez Romero Alvarez
    Mendoza Ruiz Chavez Herrera Medina Aguilar Vargas Castro Guzman Muñoz Rojas Salazar Delgado
    Soto Contreras Estrada Navarro Figueroa Peña Cabrera Núñez Espinoza Velasquez Cordero Ibarra
    Acosta Serrano Villalobos De_la_Cruz
    Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo Lin He Gao Luo Zheng Liang
    Tang Chan Wong Lee Leung Cheung Nguyen Tran Le Pham Hoang Phan Vu Dang Bui Do Ngo Duong
    Kim Park Choi Jung Kang Cho Yoon Jang Lim Han Shin Seo Tanaka Suzuki Takahashi Watanabe
    Yamamoto Nakamura Kobayashi Sato Ito Kato
    Patel Shah Singh Kumar Sharma Gupta Reddy Rao Iyer Nair Desai Mehta Joshi Chopra Kapoor Bhatt
    Menon Pillai Agarwal Chaudhry Santos Bautista Villanueva Dela_Cruz Mendoza Aquino Navarro
    Haddad Khoury Mansour Nasser Saleh Hassan Ali Ahmed Ibrahim Youssef Aziz Farah Hamdan Khalil
    Okafor Okonkwo Adeyemi Oyelaran Mensah Boateng Owusu Tesfaye Bekele Abebe Mwangi Otieno Diallo
    Papadopoulos Georgiou Pappas Katsaros Volkov Smirnov Sokolov Kuznetsov Morozov Petrov Ivanov
    Popescu Horvat Novak Kowalski Nowak Wisniewski Lewandowski Kaminski Wagner Schmidt Weber Becker
    Schneider Fischer Meyer Hoffman Koch Zimmerman Johansson Larsen Nielsen Olsen Lindqvist Berg
    Dubois Lefebvre Moreau Laurent Fontaine Girard Thibodeaux Boudreaux LeBlanc Arceneaux Cohen
    Levy Goldberg Rosenberg Friedman Shapiro Katz Weiss Silva Oliveira Souza Pereira Ferreira
    Almeida Carvalho Begay Yazzie Tsosie Kealoha Van_Buren Van_der_Berg St._Clair
    """
)

FEMALE_NAMES = _pool(
    """
    Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty
    Margaret Sandra Ashley Kimberly Emily Donna Michelle Carol Amanda Dorothy Melissa Deborah
    Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy Angela Shirley Anna Brenda Pamela Emma
    Nicole Helen Samantha Katherine Christine Debra Rachel Carolyn Janet Catherine Maria Heather
    Diane Ruth Julie Olivia Joyce Virginia Victoria Kelly Lauren Christina Joan Evelyn Judith
    Megan Andrea Cheryl Hannah Jacqueline Martha Gloria Teresa Ann Sara Madison Frances Kathryn
    Janice Jean Abigail Alice Judy Sophia Grace Denise Amber Doris Marilyn Danielle Beverly Isabella
    Theresa Diana Natalie Brittany Charlotte Marie Kayla Alexis Lori Ava Mia Harper Aaliyah Zoe
    Imani Ebony Keisha Latoya Tamika Shanice Jasmine Destiny Aisha Nia Monique Yolanda Tanisha
    Guadalupe Rosa Carmen Juana Lucia Ximena Valentina Camila Sofia Daniela Gabriela Alejandra
    Mariana Fernanda Paola Yesenia Marisol Esperanza Consuelo Xiomara
    Mei Li Xiu Ying Hui Jing Lan Wen Yan Ling Thuy Linh Huong Mai Ngoc Hoa Ji-woo Seo-yeon
    Min-ji Eun-ji Hye-jin Yuki Sakura Haruka Aiko Priya Ananya Deepa Kavya Lakshmi Meera Neha
    Pooja Sunita Divya Maricel Rowena Jocelyn Fatima Aisha Layla Noor Yasmin Mariam Leila Rania
    Amara Chioma Ngozi Adaeze Abena Ama Efua Makeda Saba Wanjiru Siobhan Aoife Niamh Bridget
    Colleen Maeve Giulia Francesca Chiara Rosalia Ewa Katarzyna Agnieszka Olga Svetlana Natasha
    Ingrid Astrid Brigitte Margit Chaya Miriam Esther Shoshana Leah Ruth-Ann Mary-Kate Anne-Marie
    Winona Aiyana Kalani Leilani Malia
    """
)

MALE_NAMES = _pool(
    """
    James Robert John Michael David William Richard Joseph Thomas Charles Christopher Daniel
    Matthew Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy
    Ronald Edward Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin Scott
    Brandon Benjamin Samuel Gregory Alexander Frank Patrick Raymond Jack Dennis Jerry Tyler Aaron
    Henry Adam Douglas Nathan Peter Zachary Kyle Walter Harold Jeremy Ethan Carl Keith Roger
    Gerald Christian Terry Sean Arthur Austin Noah Lawrence Jesse Joe Bryan Billy Jordan Albert
    Dylan Bruce Willie Gabriel Alan Juan Logan Wayne Ralph Roy Eugene Randy Vincent Russell Louis
    Bobby Philip Johnny Liam Mason Elijah Lucas Oliver Jaylen Darnell DeShawn Jamal Tyrone Marcus
    Terrell Malik Andre Cedric Reginald Darius Lamar Kwame Jose Luis Carlos Jorge Miguel Alejandro
    Francisco Javier Manuel Ricardo Fernando Eduardo Roberto Pedro Santiago Mateo Diego Emilio
    Rafael Ramon Joaquin Wei Jun Hao Ming Jian Lei Tao Bao Minh Duc Huy Quang Thanh Tuan Min-jun
    Ji-hoon Seung-woo Dong-hyun Hiroshi Takeshi Kenji Haruto Raj Arjun Vikram Rahul Sanjay Amit
    Anil Suresh Rohan Krishna Jose-Luis Emmanuel Mohammed Ahmed Omar Ali Hassan Youssef Khalid
    Tariq Karim Chinedu Emeka Oluwaseun Kofi Kwabena Tesfaye Dawit Kamau Sean Liam Declan Padraig
    Cormac Giovanni Marco Luca Salvatore Vincenzo Piotr Tomasz Krzysztof Dmitri Sergei Ivan Lars
    Nils Erik Hans Klaus Pierre Jean-Luc Jean-Paul Avraham Moshe Yosef Eli Chayton Hiamovi Kai
    Keoni Makoa
    """
)
