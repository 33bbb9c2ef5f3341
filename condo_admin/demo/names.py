"""Names and birthplaces for demo residents, by origin.

Social housing in the north of Milan is lived in by elderly Milanese, by families who came from
the south decades ago and by a third or more of households born abroad (Morocco, Romania, Albania,
Egypt, Peru, the Philippines...). Demo data that only holds "Mario Rossi" hides the problems the
product must handle: short or accented names in tax codes, residents who want letters in English,
children born in Milan to parents born elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    """Where a family comes from: the names it uses and the Belfiore code of its births abroad."""

    key: str
    #: Belfiore code of the state (Z...) or, for Italians, None: their places are drawn separately.
    place: str | None
    surnames: tuple[str, ...]
    male: tuple[str, ...]
    female: tuple[str, ...]
    #: Share of households of this origin that ask for English letters and portal.
    english: float = 0.0
    #: Names given since about 1990, when fashions changed (empty: the same pools).
    young_male: tuple[str, ...] = ()
    young_female: tuple[str, ...] = ()
    #: Year from which the young pools apply.
    young_from: int = 1990

    def first_names(self, sex: str, birth_year: int) -> tuple[str, ...]:
        """The pool of first names for a person of ``sex`` born in ``birth_year``."""
        young = birth_year >= self.young_from
        if sex == "M":
            return self.young_male if young and self.young_male else self.male
        return self.young_female if young and self.young_female else self.female


# fmt: off
ITALIAN = Origin(
    key="IT",
    place=None,
    surnames=(
        "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
        "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano",
        "Rizzo", "Lombardi", "Moretti", "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi",
        "Caruso", "Ferrara", "Galli", "Martini", "Leone", "Longo", "Gentile", "Martinelli",
        "Vitale", "Lombardo", "Serra", "Coppola", "De Santis", "D'Angelo", "Marchetti", "Parisi",
        "Villa", "Cattaneo", "Brambilla", "Sala", "Riva", "Pozzi", "Radaelli", "Fumagalli",
        "Mauri", "Crippa", "Galbiati", "Sorrentino", "La Rosa", "Messina", "Amato", "Pagano",
        "Lo Russo", "Cutrupi", "Scognamiglio", "Iannone", "Basile", "Palumbo", "Fiore",
    ),
    male=(
        "Giuseppe", "Giovanni", "Antonio", "Mario", "Luigi", "Francesco", "Angelo", "Vincenzo",
        "Pietro", "Salvatore", "Carlo", "Franco", "Domenico", "Bruno", "Paolo", "Michele",
        "Giorgio", "Aldo", "Sergio", "Luciano", "Roberto", "Stefano", "Andrea", "Marco",
        "Gianfranco", "Ambrogio", "Massimo", "Claudio", "Maurizio", "Fabio",
    ),
    female=(
        "Maria", "Anna", "Giuseppina", "Rosa", "Angela", "Giovanna", "Teresa", "Lucia",
        "Carmela", "Caterina", "Francesca", "Antonietta", "Carla", "Rita", "Franca", "Paola",
        "Luisa", "Laura", "Silvia", "Elena", "Concetta", "Ornella", "Patrizia", "Daniela",
    ),
    young_male=(
        "Luca", "Matteo", "Davide", "Simone", "Nicolò", "Alessandro", "Andrea", "Lorenzo",
        "Leonardo", "Francesco", "Gabriele", "Tommaso", "Riccardo", "Edoardo", "Mattia",
    ),
    young_female=(
        "Sara", "Giulia", "Martina", "Chiara", "Alessia", "Federica", "Valentina", "Noemi",
        "Sofia", "Aurora", "Ginevra", "Beatrice", "Alice", "Gaia", "Greta",
    ),
)

FOREIGN: tuple[Origin, ...] = (
    Origin(
        key="MA",
        place="Z330",
        surnames=("El Amrani", "Benali", "Bouzid", "El Idrissi", "Tahiri", "Alaoui", "Ouahbi"),
        male=("Mohamed", "Youssef", "Hassan", "Rachid", "Omar", "Abdelkader", "Said"),
        female=("Fatima", "Khadija", "Naima", "Samira", "Amina", "Latifa", "Zineb"),
    ),
    Origin(
        key="RO",
        place="Z129",
        surnames=("Popescu", "Ionescu", "Popa", "Dumitru", "Stan", "Constantin", "Munteanu"),
        male=("Andrei", "Ion", "Mihai", "Florin", "Gheorghe", "Vasile", "Cristian"),
        female=("Elena", "Ioana", "Mihaela", "Andreea", "Florentina", "Daniela", "Gabriela"),
    ),
    Origin(
        key="AL",
        place="Z100",
        surnames=("Hoxha", "Shehu", "Gjoka", "Leka", "Krasniqi", "Dervishi", "Cela"),
        male=("Arben", "Ilir", "Besnik", "Gentian", "Artan", "Fatmir", "Edmond"),
        female=("Elona", "Blerta", "Anila", "Mirela", "Valbona", "Entela", "Klodiana"),
    ),
    Origin(
        key="EG",
        place="Z336",
        surnames=("Ibrahim", "Mahmoud", "Abdelrahman", "Mostafa", "Farouk", "Soliman", "Youssef"),
        male=("Ahmed", "Mahmoud", "Mostafa", "Karim", "Tarek", "Amr", "Sherif"),
        female=("Mariam", "Nour", "Heba", "Rania", "Yasmine", "Dina", "Shaimaa"),
        english=0.3,
    ),
    Origin(
        key="PE",
        place="Z611",
        surnames=("Quispe", "Huamán", "Flores", "Mamani", "Rojas", "Chávez", "Vargas"),
        male=("Luis", "Jorge", "Carlos", "Juan", "José", "Wilmer", "Edwin"),
        female=("Rosa", "Carmen", "Milagros", "Gladys", "Maribel", "Yolanda", "Lourdes"),
    ),
    Origin(
        key="PH",
        place="Z216",
        surnames=("Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Mendoza", "Villanueva"),
        male=("Jose", "Mark", "Rodel", "Jerome", "Ramon", "Arnel", "Rommel"),
        female=("Maricel", "Jocelyn", "Rowena", "Liza", "Cristina", "Marites", "Lorna"),
        english=1.0,
    ),
    Origin(
        key="EC",
        place="Z605",
        surnames=("Guamán", "Cevallos", "Zambrano", "Vera", "Moreira", "Intriago"),
        male=("Diego", "Byron", "Wilson", "Segundo", "Holger"),
        female=("Jessica", "Erika", "Mayra", "Johanna", "Narcisa"),
    ),
    Origin(
        key="SN",
        place="Z343",
        surnames=("Diop", "Ndiaye", "Fall", "Sow", "Ba", "Gueye", "Sarr"),
        male=("Mamadou", "Cheikh", "Ousmane", "Moussa", "Ibrahima", "Modou"),
        female=("Awa", "Fatou", "Aminata", "Mariama", "Khady", "Ndeye"),
        english=0.5,
    ),
    Origin(
        key="CN",
        place="Z210",
        surnames=("Hu", "Zhou", "Chen", "Wang", "Lin", "Zhang", "Ye"),
        male=("Wei", "Jian", "Hao", "Bo", "Jun"),
        female=("Li", "Mei", "Xiu", "Yan", "Ying"),
        english=0.5,
    ),
    Origin(
        key="UA",
        place="Z138",
        surnames=("Kovalenko", "Shevchenko", "Bondarenko", "Tkachenko", "Kravchenko"),
        male=("Oleksandr", "Andriy", "Serhiy", "Mykola", "Volodymyr"),
        female=("Olena", "Iryna", "Nataliya", "Oksana", "Halyna"),
        english=0.5,
    ),
)

# fmt: on

#: How many households of each foreign origin the demo holds (about a third of all households),
#: in the proportions seen in ALER estates of north Milan. The rest are Italian.
FOREIGN_QUOTA: tuple[tuple[str, int], ...] = (
    ("MA", 4),
    ("RO", 3),
    ("AL", 2),
    ("EG", 2),
    ("PE", 2),
    ("PH", 2),
    ("EC", 1),
    ("SN", 1),
    ("CN", 1),
    ("UA", 1),
)

ORIGINS: dict[str, Origin] = {o.key: o for o in (ITALIAN, *FOREIGN)}

#: Where Italians in the demo were born, with weights: mostly Milan and Sesto, the older ones
#: often in the south (drawn from ``ITALIAN_BORN_SOUTH`` when born before 1965).
ITALIAN_BORN_LOCAL: tuple[tuple[str, int], ...] = (("F205", 7), ("I690", 3))
ITALIAN_BORN_SOUTH: tuple[str, ...] = ("F839", "G273", "A662", "C351", "H501")
ITALIAN_BORN_ELSEWHERE: tuple[str, ...] = ("L219", "D969", "A944", "D612")
