"""French first and last names for the demo families (common INSEE-style names)."""
LAST_NAMES = (
    "MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND", "DUBOIS", "MOREAU", "LAURENT",
    "SIMON", "MICHEL", "LEFEBVRE", "LEROY", "ROUX", "DAVID", "BERTRAND", "MOREL", "FOURNIER", "GIRARD",
    "BONNET", "DUPONT", "LAMBERT", "FONTAINE", "ROUSSEAU", "VINCENT", "MULLER", "LEFÈVRE", "FAURE", "ANDRÉ",
    "MERCIER", "BLANC", "GUÉRIN", "BOYER", "GARNIER", "CHEVALIER", "FRANÇOIS", "LEGRAND", "GAUTHIER", "GARCIA",
    "PERRIN", "ROBIN", "CLÉMENT", "MORIN", "NICOLAS", "HENRY", "ROUSSEL", "MATHIEU", "GAUTIER", "MASSON",
    "BRUN", "REY", "COLLOMB", "BLANCHARD", "GIROUD", "BUISSON", "JACQUIER", "PELLET", "TROSSET", "VIBERT",
)
PARENT_FIRST_NAMES = (
    ("Madame", "CAMILLE"), ("Monsieur", "NICOLAS"), ("Madame", "JULIE"), ("Monsieur", "SÉBASTIEN"),
    ("Madame", "AURÉLIE"), ("Monsieur", "JULIEN"), ("Madame", "ÉMILIE"), ("Monsieur", "GUILLAUME"),
    ("Madame", "SOPHIE"), ("Monsieur", "MAXIME"), ("Madame", "CÉLINE"), ("Monsieur", "THOMAS"),
    ("Madame", "MARION"), ("Monsieur", "JÉRÔME"), ("Madame", "LAETITIA"), ("Monsieur", "FRANCK"),
    ("Madame", "ÉLODIE"), ("Monsieur", "MATHIEU"), ("Madame", "SANDRINE"), ("Monsieur", "OLIVIER"),
)
CHILD_FIRST_NAMES = (
    "Léo", "Emma", "Gabriel", "Jade", "Raphaël", "Louise", "Arthur", "Alice", "Louis", "Ambre",
    "Jules", "Lina", "Adam", "Rose", "Maël", "Chloé", "Lucas", "Mia", "Hugo", "Léa",
    "Noah", "Anna", "Sacha", "Inès", "Tom", "Julia", "Nathan", "Zoé", "Paul", "Manon",
)
