"""Demo content for `manage.py seed_demo`: a small town in four languages."""

# (scene_id, name, description, {language: (name, description)}): each NPC's prompt is in the
# language it speaks, the scene included.
SCENES = [
    (
        "bakery",
        "Bakery",
        "A small bakery that smells of fresh bread. Baguettes, croissants and loaves of bread "
        "are on the shelves; cakes are in the glass counter. Prices are written on a chalkboard.",
        {
            "fr": (
                "Boulangerie",
                "Une petite boulangerie qui sent le pain chaud. Des baguettes, des croissants et des pains "
                "sont sur les étagères ; les gâteaux sont dans la vitrine. Les prix sont écrits sur une ardoise.",
            ),
            "es": (
                "Panadería",
                "Una pequeña panadería que huele a pan recién hecho. Hay barras, cruasanes y hogazas en las "
                "estanterías; los pasteles están en la vitrina. Los precios están escritos en una pizarra.",
            ),
            "de": (
                "Bäckerei",
                "Eine kleine Bäckerei, die nach frischem Brot duftet. Baguettes, Croissants und Brote liegen "
                "in den Regalen, Kuchen in der Glastheke. Die Preise stehen auf einer Kreidetafel.",
            ),
        },
    ),
    (
        "supermarket",
        "Supermarket",
        "A busy supermarket with aisles of fruit, vegetables, drinks and household "
        "goods. There are two checkout lanes; one is open.",
        {
            "fr": (
                "Supermarché",
                "Un supermarché animé avec des rayons de fruits, de légumes, de boissons et de produits "
                "ménagers. Il y a deux caisses ; une seule est ouverte.",
            ),
            "es": (
                "Supermercado",
                "Un supermercado lleno de gente, con pasillos de fruta, verdura, bebidas y productos de "
                "limpieza. Hay dos cajas; una está abierta.",
            ),
            "de": (
                "Supermarkt",
                "Ein belebter Supermarkt mit Gängen voller Obst, Gemüse, Getränke und Haushaltswaren. "
                "Es gibt zwei Kassen; eine ist offen.",
            ),
        },
    ),
    (
        "coffee_shop",
        "Coffee shop",
        "A cosy coffee shop near the university. Students work on laptops; the menu "
        "lists coffee, tea, hot chocolate and pastries.",
        {
            "fr": (
                "Café",
                "Un café chaleureux près de l'université. Des étudiants travaillent sur leur ordinateur ; "
                "la carte propose du café, du thé, du chocolat chaud et des viennoiseries.",
            ),
            "es": (
                "Cafetería",
                "Una cafetería acogedora cerca de la universidad. Los estudiantes trabajan con sus portátiles; "
                "la carta ofrece café, té, chocolate caliente y bollería.",
            ),
            "de": (
                "Café",
                "Ein gemütliches Café in der Nähe der Universität. Studenten arbeiten an ihren Laptops; "
                "auf der Karte stehen Kaffee, Tee, heiße Schokolade und Gebäck.",
            ),
        },
    ),
    (
        "marketplace",
        "Marketplace",
        "An open-air market on the town square with stalls of fruit, cheese, flowers "
        "and spices. Sellers call out their prices.",
        {
            "fr": (
                "Marché",
                "Un marché en plein air sur la place de la ville, avec des étals de fruits, de fromages, "
                "de fleurs et d'épices. Les vendeurs annoncent leurs prix à voix haute.",
            ),
            "es": (
                "Mercado",
                "Un mercado al aire libre en la plaza del pueblo, con puestos de fruta, queso, flores y "
                "especias. Los vendedores anuncian sus precios en voz alta.",
            ),
            "de": (
                "Markt",
                "Ein Markt unter freiem Himmel auf dem Stadtplatz, mit Ständen für Obst, Käse, Blumen und "
                "Gewürze. Die Verkäufer rufen ihre Preise aus.",
            ),
        },
    ),
    (
        "restaurant",
        "Restaurant",
        "A traditional restaurant with wooden tables. Today's menu is on a board at the "
        "door; the kitchen is open until ten.",
        {
            "fr": (
                "Restaurant",
                "Un restaurant traditionnel avec des tables en bois. Le menu du jour est sur une ardoise "
                "à l'entrée ; la cuisine est ouverte jusqu'à vingt-deux heures.",
            ),
            "es": (
                "Restaurante",
                "Un restaurante tradicional con mesas de madera. El menú del día está en una pizarra en la "
                "puerta; la cocina está abierta hasta las diez.",
            ),
            "de": (
                "Restaurant",
                "Ein traditionelles Restaurant mit Holztischen. Die Tageskarte hängt an einer Tafel an der "
                "Tür; die Küche ist bis zweiundzwanzig Uhr geöffnet.",
            ),
        },
    ),
    (
        "police_station",
        "Police station",
        "The town's small police station. A counter, a waiting bench, posters about lost property and road safety.",
        {
            "fr": (
                "Commissariat",
                "Le petit commissariat de la ville. Un comptoir, un banc d'attente, des affiches sur les "
                "objets trouvés et la sécurité routière.",
            ),
            "es": (
                "Comisaría",
                "La pequeña comisaría del pueblo. Un mostrador, un banco para esperar y carteles sobre "
                "objetos perdidos y seguridad vial.",
            ),
            "de": (
                "Polizeiwache",
                "Die kleine Polizeiwache der Stadt. Ein Schalter, eine Wartebank, Plakate über Fundsachen "
                "und Verkehrssicherheit.",
            ),
        },
    ),
]

# Voice ids per engine; English NPCs use the embedded Piper voice, others espeak-ng in the
# variant Whisper understood best (docs/BENCHMARKS.md); the bundled espeak-ng data has "fr",
# not Debian's "fr-fr". The women of the demo speak in the best female variant.
_VOICES = {
    "en": {"piper": "en_US-joe-medium", "espeak": "en-us"},
    "fr": {"espeak": "fr+m7"},
    "es": {"espeak": "es+klatt"},
    "de": {"espeak": "de+m3"},
}
_FEMALE_VOICES = {"student_claire": {"espeak": "fr+f5"}, "vendor_lucia": {"espeak": "es+f5"}}

NPCS = [
    {
        # The NPC id the existing Unity client asks for by default.
        "npc_id": "baker_01",
        "name": "Tom",
        "language": "en",
        "cefr_level": "A2",
        "scene": "bakery",
        "emotional_tone": "warm and cheerful",
        "personality": "A friendly baker who loves talking about bread and recommends the day's specials.",
        "backstory": "Tom took over his grandmother's bakery ten years ago and gets up at four every morning.",
        "greeting": "Good morning! What can I get you today?",
        "currency": "£",
        "price_list": [
            {"item": "a loaf of white bread", "price": 1.8},
            {"item": "a sourdough loaf", "price": 3.5},
            {"item": "a croissant", "price": 1.2},
            {"item": "a cinnamon roll", "price": 2.0},
            {"item": "a slice of carrot cake", "price": 2.8},
        ],
    },
    {
        "npc_id": "baker_pierre",
        "name": "Pierre",
        "language": "fr",
        "cefr_level": "A2",
        "scene": "bakery",
        "emotional_tone": "jovial",
        "personality": "Un boulanger parisien joyeux, fier de ses croissants, patient avec les débutants. "
        "Il vouvoie ses clients.",
        "backstory": "Pierre a appris son métier à Lyon et a ouvert sa boulangerie il y a vingt ans.",
        "greeting": "Bonjour ! Qu'est-ce que je vous sers aujourd'hui ?",
        "price_list": [
            {"item": "une baguette", "price": 1.1},
            {"item": "un croissant", "price": 1.2},
            {"item": "un pain au chocolat", "price": 1.4},
            {"item": "un pain de campagne", "price": 3.2},
            {"item": "une tarte aux pommes", "price": 12.0},
        ],
    },
    {
        "npc_id": "student_claire",
        "name": "Claire",
        "language": "fr",
        "cefr_level": "B1",
        "scene": "coffee_shop",
        "emotional_tone": "curieuse et détendue",
        "personality": "Une étudiante en lettres qui aime la musique, le cinéma et rencontrer des gens "
        "d'autres pays. Elle tutoie les jeunes.",
        "backstory": "Claire fait ses études en ville et travaille le week-end au café.",
        "price_list": [
            {"item": "un café", "price": 1.8},
            {"item": "un thé", "price": 2.2},
            {"item": "un chocolat chaud", "price": 3.0},
            {"item": "un croissant", "price": 1.3},
        ],
        "greeting": "Salut ! Tu es nouveau ici ?",
    },
    {
        "npc_id": "officer_dubois",
        "name": "Officer Dubois",
        "language": "fr",
        "cefr_level": "B1",
        "scene": "police_station",
        "emotional_tone": "formel mais serviable",
        "personality": "Un policier précis qui pose des questions claires et vouvoie tout le monde.",
        "backstory": "L'agent Dubois travaille au commissariat de la ville depuis quinze ans.",
        "greeting": "Bonjour. Comment puis-je vous aider ?",
    },
    {
        "npc_id": "cashier_brown",
        "name": "Mrs Brown",
        "language": "en",
        "cefr_level": "A1",
        "scene": "supermarket",
        "emotional_tone": "kind and patient",
        "personality": "A supermarket cashier who speaks slowly and simply and likes to chat about the weather.",
        "backstory": "Mrs Brown has worked at the supermarket since it opened.",
        "greeting": "Hello, dear. Did you find everything you need?",
        "currency": "£",
        "price_list": [
            {"item": "a bottle of milk", "price": 1.1},
            {"item": "six eggs", "price": 1.9},
            {"item": "a kilo of bananas", "price": 1.3},
            {"item": "a bottle of water", "price": 0.6},
        ],
    },
    {
        "npc_id": "vendor_lucia",
        "name": "Lucía",
        "language": "es",
        "cefr_level": "A2",
        "scene": "marketplace",
        "emotional_tone": "alegre",
        "personality": "Una vendedora de fruta que bromea con los clientes y siempre ofrece probar.",
        "backstory": "La familia de Lucía vende fruta en este mercado desde hace tres generaciones.",
        "price_list": [
            {"item": "un kilo de manzanas", "price": 2.5},
            {"item": "un kilo de naranjas", "price": 2.0},
            {"item": "un kilo de fresas", "price": 4.5},
            {"item": "un melón", "price": 3.0},
            {"item": "un plátano", "price": 0.4},
        ],
        "greeting": "¡Hola! ¿Qué te pongo hoy?",
    },
    {
        "npc_id": "waiter_hans",
        "name": "Hans",
        "language": "de",
        "cefr_level": "A2",
        "scene": "restaurant",
        "emotional_tone": "höflich und ruhig",
        "personality": "Ein Kellner, der die Speisekarte erklärt und Gerichte aus der Region empfiehlt. "
        "Er siezt die Gäste.",
        "backstory": "Hans arbeitet seit acht Jahren im Restaurant und kennt alle Stammgäste.",
        "price_list": [
            {"item": "ein Kaffee", "price": 2.8},
            {"item": "ein Glas Apfelsaft", "price": 3.2},
            {"item": "eine Gulaschsuppe", "price": 6.5},
            {"item": "ein Schnitzel mit Kartoffelsalat", "price": 14.9},
            {"item": "ein Stück Apfelstrudel", "price": 4.8},
        ],
        "greeting": "Guten Abend! Haben Sie schon gewählt?",
    },
]

for _npc in NPCS:
    _npc["voice"] = _FEMALE_VOICES.get(_npc["npc_id"], _VOICES[_npc["language"]])

TEACHER_USERNAME = "teacher"
ADMIN_USERNAME = "admin"
CLASSROOM_NAME = "Demo class"

PLAYERS = [
    {
        "player_id": "learner_ana",
        "display_name": "Ana",
        "target_language": "en",
        "native_language": "es",
        "proficiency_level": "A2",
    },
    {
        "player_id": "learner_ben",
        "display_name": "Ben",
        "target_language": "fr",
        "native_language": "en",
        "proficiency_level": "A1",
    },
    {
        "player_id": "learner_chloe",
        "display_name": "Chloé",
        "target_language": "de",
        "native_language": "fr",
        "proficiency_level": "B1",
    },
]

# A learner's first words to an NPC, per demo language (the CI smoke run and the demo-NPC test say them).
LEARNER_GREETINGS = {
    "en": "Good morning! How are you?",
    "fr": "Bonjour ! Comment allez-vous ?",
    "es": "¡Hola! ¿Cómo está usted?",
    "de": "Guten Tag! Wie geht es Ihnen?",
}
