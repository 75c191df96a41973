//! Word lists behind the demo catalog: shops, departments, product kinds and books.
//!
//! Everything here is plain data; `super::catalog` turns it into listings. Feature and
//! material sentences must read correctly for every kind that names them, so they avoid
//! pronouns unless all of the department's kinds agree in number.

/// A demo seller.
pub(super) struct Shop {
    pub name: &'static str,
    pub email: &'static str,
    /// Category slugs the shop specialises in.
    pub categories: &'static [&'static str],
    /// The shop's own label and the categories it appears on.
    pub label: Option<(&'static str, &'static [&'static str])>,
}

/// One category of the demo marketplace.
pub(super) struct Department {
    pub slug: &'static str,
    pub name: &'static str,
    pub blurb: &'static str,
    /// Lowest and highest price of any listing, in US cents.
    pub price: (i64, i64),
    pub range: Range,
}

/// What a department sells.
pub(super) enum Range {
    Goods(Goods),
    Books,
}

/// The vocabulary of a department of branded goods.
pub(super) struct Goods {
    pub brands: &'static [&'static str],
    pub colours: &'static [&'static str],
    /// A title adjective and the description sentence that explains it.
    pub features: &'static [(&'static str, &'static str)],
    /// A title material and the description sentence that explains it.
    pub materials: &'static [(&'static str, &'static str)],
    /// Features or materials that must not share a title.
    pub clashes: &'static [(&'static str, &'static str)],
    /// Closing sentences: service, care or gifting.
    pub closers: &'static [&'static str],
    pub kinds: &'static [Kind],
}

/// One kind of product, e.g. hiking boots.
pub(super) struct Kind {
    /// As in a title: "Hiking Boots".
    pub noun: &'static str,
    /// As in running text: "hiking boots".
    pub prose: &'static str,
    pub plural: bool,
    /// Price range in US cents.
    pub price: (i64, i64),
    /// Keys of `Goods::features`, in the order two of them read well side by side.
    pub features: &'static [&'static str],
    /// Keys of `Goods::materials`; empty when the material is not worth a title word.
    pub materials: &'static [&'static str],
    pub coloured: bool,
    pub variant: Option<Variant>,
    /// Fixed attributes, added while there is room.
    pub facts: &'static [(&'static str, &'static str)],
    /// What it is for, as a noun phrase: "long days on rocky trails".
    pub use_for: &'static str,
    /// One sentence of concrete detail.
    pub detail: &'static str,
    /// Brands for this kind only; empty means the department's.
    pub brands: &'static [&'static str],
}

/// An attribute that varies between listings of a kind, such as capacity or size.
pub(super) struct Variant {
    pub key: &'static str,
    pub values: &'static [&'static str],
    /// How the value appears in the title, `{}` standing for it: `"{}"` goes before the
    /// noun, a template starting with a space follows the noun, any other comes last.
    pub template: &'static str,
    /// Whether later values cost more (sizes, capacities) or not (scents, nibs).
    pub priced: bool,
}

/// A genre of the book department.
pub(super) struct Genre {
    pub name: &'static str,
    /// "an atmospheric mystery novel"
    pub label: &'static str,
    /// Titles without a subtitle get ": A Novel".
    pub novel: bool,
    pub titles: &'static [&'static str],
    pub pitches: &'static [&'static str],
    pub readers: &'static str,
    pub pages: (u32, u32),
    /// Formats and their price ranges in US cents.
    pub formats: &'static [(&'static str, (i64, i64))],
    /// Names of the shops that stock the genre; empty means every book specialist.
    pub shops: &'static [&'static str],
}

#[rustfmt::skip]
const BASE: Kind = Kind {
    noun: "",
    prose: "",
    plural: false,
    price: (0, 0),
    features: &[],
    materials: &[],
    coloured: false,
    variant: None,
    facts: &[],
    use_for: "",
    detail: "",
    brands: &[],
};

#[rustfmt::skip]
const SIZES: &[&str] = &["XS", "S", "M", "L", "XL"];

#[rustfmt::skip]
pub(super) const SHOPS: &[Shop] = &[
    Shop {
        name: "Kestrel Outdoor Co.",
        email: "kestrel@example.com",
        categories: &["outdoor-gear", "footwear", "sports-fitness"],
        label: Some(("Kestrel", &["outdoor-gear", "footwear", "sports-fitness"])),
    },
    Shop {
        name: "Copper Kettle Kitchenware",
        email: "copperkettle@example.org",
        categories: &["kitchen", "coffee-tea"],
        label: Some(("Copper Kettle", &["kitchen", "coffee-tea"])),
    },
    Shop {
        name: "Voltline Electronics",
        email: "voltline@example.net",
        categories: &["electronics", "audio"],
        label: Some(("Voltline", &["electronics", "audio"])),
    },
    Shop {
        name: "Hearth & Timber",
        email: "hearthandtimber@example.com",
        categories: &["furniture", "home-decor", "garden", "pet-supplies"],
        label: Some(("Hearth & Timber", &["furniture", "home-decor"])),
    },
    Shop {
        name: "Dog-Eared Books",
        email: "dogeared@example.org",
        categories: &["books", "stationery"],
        label: None,
    },
    Shop {
        name: "Little Acorn Toys",
        email: "littleacorn@example.com",
        categories: &["toys-games", "books"],
        label: Some(("Little Acorn", &["toys-games"])),
    },
    Shop {
        name: "Bloom & Balm Apothecary",
        email: "bloomandbalm@example.net",
        categories: &["beauty", "garden", "home-decor"],
        label: Some(("Bloom & Balm", &["beauty", "home-decor"])),
    },
    Shop {
        name: "Summit Athletics",
        email: "summit@example.org",
        categories: &["sports-fitness", "clothing", "footwear"],
        label: Some(("Summit", &["sports-fitness", "clothing", "footwear"])),
    },
    Shop {
        name: "Wagging Tails Supply",
        email: "waggingtails@example.com",
        categories: &["pet-supplies", "outdoor-gear"],
        label: Some(("Wagging Tails", &["pet-supplies"])),
    },
    Shop {
        name: "Roast & Leaf Co.",
        email: "roastandleaf@example.net",
        categories: &["coffee-tea", "kitchen"],
        label: Some(("Roast & Leaf", &["coffee-tea"])),
    },
    Shop {
        name: "Ink & Quill Stationers",
        email: "inkandquill@example.org",
        categories: &["stationery", "books"],
        label: Some(("Ink & Quill", &["stationery"])),
    },
    Shop {
        name: "Signal & Sound",
        email: "signalandsound@example.com",
        categories: &["audio", "electronics"],
        label: Some(("Signal & Sound", &["audio"])),
    },
    Shop {
        name: "Threadline Apparel",
        email: "threadline@example.net",
        categories: &["clothing", "footwear", "beauty"],
        label: Some(("Threadline", &["clothing"])),
    },
];

#[rustfmt::skip]
pub(super) const DEPARTMENTS: &[Department] = &[
    Department {
        slug: "footwear",
        name: "Footwear",
        blurb: "Boots, trainers, sandals and slippers for trails, streets and lazy Sundays.",
        price: (2499, 22999),
        range: Range::Goods(FOOTWEAR),
    },
    Department {
        slug: "outdoor-gear",
        name: "Outdoor Gear",
        blurb: "Tents, packs, sleeping bags and camp kit for nights under the stars.",
        price: (1299, 49999),
        range: Range::Goods(OUTDOOR),
    },
    Department {
        slug: "kitchen",
        name: "Kitchen",
        blurb: "Cookware, knives and clever tools for everyday cooks and weekend bakers.",
        price: (1499, 59999),
        range: Range::Goods(KITCHEN),
    },
    Department {
        slug: "coffee-tea",
        name: "Coffee & Tea",
        blurb: "Freshly roasted beans, loose-leaf teas and the gear to brew them well.",
        price: (899, 19999),
        range: Range::Goods(COFFEE_TEA),
    },
    Department {
        slug: "electronics",
        name: "Electronics",
        blurb: "Laptops, tablets, smart-home gadgets and the chargers that keep them running.",
        price: (1499, 129900),
        range: Range::Goods(ELECTRONICS),
    },
    Department {
        slug: "audio",
        name: "Audio",
        blurb: "Headphones, speakers and turntables for every kind of listener.",
        price: (2999, 79999),
        range: Range::Goods(AUDIO),
    },
    Department {
        slug: "home-decor",
        name: "Home Decor",
        blurb: "Lamps, textiles, candles and wall art that make a house feel like home.",
        price: (1499, 39999),
        range: Range::Goods(HOME_DECOR),
    },
    Department {
        slug: "furniture",
        name: "Furniture",
        blurb: "Sofas, tables, desks and storage built to live with for years.",
        price: (4999, 89900),
        range: Range::Goods(FURNITURE),
    },
    Department {
        slug: "books",
        name: "Books",
        blurb: "Novels, cookbooks, travel guides and picture books, new and much loved.",
        price: (899, 4999),
        range: Range::Books,
    },
    Department {
        slug: "toys-games",
        name: "Toys & Games",
        blurb: "Wooden toys, board games and puzzles for curious minds of every age.",
        price: (999, 19999),
        range: Range::Goods(TOYS_GAMES),
    },
    Department {
        slug: "beauty",
        name: "Beauty",
        blurb: "Skincare, bath and body care made with kind, natural ingredients.",
        price: (799, 5999),
        range: Range::Goods(BEAUTY),
    },
    Department {
        slug: "sports-fitness",
        name: "Sports & Fitness",
        blurb: "Mats, weights and training kit for the gym, the studio and the living room.",
        price: (999, 69999),
        range: Range::Goods(SPORTS_FITNESS),
    },
    Department {
        slug: "pet-supplies",
        name: "Pet Supplies",
        blurb: "Beds, leads, toys and treats for well-loved dogs and cats.",
        price: (499, 14999),
        range: Range::Goods(PET_SUPPLIES),
    },
    Department {
        slug: "garden",
        name: "Garden",
        blurb: "Tools, planters, seeds and lighting for gardens, allotments and balconies.",
        price: (999, 24999),
        range: Range::Goods(GARDEN),
    },
    Department {
        slug: "clothing",
        name: "Clothing",
        blurb: "Everyday layers, outerwear and knitwear in natural and recycled fabrics.",
        price: (1499, 24999),
        range: Range::Goods(CLOTHING),
    },
    Department {
        slug: "stationery",
        name: "Stationery",
        blurb: "Notebooks, planners and pens for writers, planners and list-makers.",
        price: (799, 14999),
        range: Range::Goods(STATIONERY),
    },
];

#[rustfmt::skip]
const FOOTWEAR: Goods = Goods {
    brands: &["Trailmark", "Northstep", "Cobble & Crest", "Fernwalk", "Stride Lab", "Alder & Oak"],
    colours: &["Black", "Brown", "Olive", "Navy", "Grey", "Tan", "White", "Burgundy"],
    features: &[
        ("Waterproof", "A sealed waterproof membrane keeps feet dry through puddles, wet grass and steady autumn rain."),
        ("Lightweight", "A lightweight build feels nimble from the first mile to the last and packs easily into a travel bag."),
        ("Cushioned", "A cushioned EVA midsole absorbs impact on hard pavements, so legs stay fresh through long days of walking."),
        ("Breathable", "Breathable mesh panels let air move freely and keep feet cool and comfortable in warm weather."),
        ("Insulated", "Warm insulation and a fleece-lined footbed hold the heat in on frosty mornings and snowy winter walks."),
        ("Non-Slip", "A non-slip rubber outsole grips wet tiles, icy pavements and polished floors with confidence."),
        ("Classic", "A classic silhouette with clean stitching pairs as easily with jeans as with tailored trousers."),
        ("Vegan", "Vegan construction uses no animal-derived materials anywhere, from the upper to the glue that holds the sole."),
        ("Trail", "An aggressive lug pattern bites into mud, loose gravel and rocky switchbacks for sure footing off the beaten track."),
    ],
    materials: &[
        ("Leather", "The full-grain leather upper softens with wear and develops a handsome patina over the years."),
        ("Suede", "Soft suede brings a relaxed texture and brushes clean easily with a simple suede brush."),
        ("Canvas", "Durable cotton canvas is breathable, washable and easy to pair with almost anything in your wardrobe."),
        ("Knit", "A stretchy knit upper hugs the foot like a sock and moves naturally with every step."),
        ("Wool", "Felted wool is naturally warm, soft against bare feet and resists odour between washes."),
        ("Natural Rubber", "Hand-laid natural rubber is fully waterproof, stays flexible in the cold and rinses clean in seconds."),
    ],
    clashes: &[("Vegan", "Leather"), ("Vegan", "Suede"), ("Vegan", "Wool")],
    closers: &[
        "Free size exchanges make ordering online simple, and every pair ships in a recyclable shoebox.",
        "Wear them around the house for a few days and return them within 30 days if the fit is not quite right.",
        "A gift-ready box makes them an easy present for birthdays and holidays.",
    ],
    kinds: &[
        Kind {
            noun: "Hiking Boots",
            prose: "hiking boots",
            plural: true,
            price: (8999, 22999),
            features: &["Waterproof", "Trail", "Lightweight", "Insulated"],
            materials: &["Leather", "Suede"],
            coloured: true,
            facts: &[("closure", "lace-up"), ("activity", "hiking")],
            use_for: "long days on rocky trails and muddy switchbacks",
            detail: "A padded collar, gusseted tongue and supportive heel counter keep ankles stable under a loaded backpack.",
            ..BASE
        },
        Kind {
            noun: "Trail Running Shoes",
            prose: "trail running shoes",
            plural: true,
            price: (7999, 17999),
            features: &["Lightweight", "Breathable", "Waterproof"],
            materials: &["Knit"],
            coloured: true,
            facts: &[("drop", "6 mm"), ("activity", "trail running")],
            use_for: "fast miles on forest paths and mountain ridges",
            detail: "A rock plate in the forefoot shields against sharp stones, and a grippy outsole keeps the pace high on steep descents.",
            ..BASE
        },
        Kind {
            noun: "Sneakers",
            prose: "sneakers",
            plural: true,
            price: (4999, 12999),
            features: &["Classic", "Cushioned", "Vegan"],
            materials: &["Leather", "Canvas", "Suede", "Knit"],
            coloured: true,
            facts: &[("closure", "lace-up"), ("style", "low-top")],
            use_for: "everyday errands, commutes and weekend city walks",
            detail: "A stitched cupsole, cushioned insole and padded heel tab make them comfortable from the very first wear.",
            ..BASE
        },
        Kind {
            noun: "Chelsea Boots",
            prose: "Chelsea boots",
            plural: true,
            price: (8999, 19999),
            features: &["Classic", "Waterproof", "Insulated"],
            materials: &["Leather", "Suede"],
            coloured: true,
            facts: &[("closure", "pull-on"), ("heel_height", "3 cm")],
            use_for: "office days, dinners out and damp city pavements",
            detail: "Elastic side gussets and a sturdy pull tab make them easy to slip on and off in seconds.",
            ..BASE
        },
        Kind {
            noun: "Sandals",
            prose: "sandals",
            plural: true,
            price: (2999, 8999),
            features: &["Lightweight", "Cushioned", "Vegan", "Non-Slip"],
            materials: &["Leather"],
            coloured: true,
            facts: &[("closure", "adjustable straps"), ("season", "summer")],
            use_for: "beach days, summer holidays and hot city afternoons",
            detail: "Adjustable straps and a contoured footbed with arch support keep every step secure and comfortable.",
            ..BASE
        },
        Kind {
            noun: "Slippers",
            prose: "slippers",
            plural: true,
            price: (2499, 6999),
            features: &["Insulated", "Cushioned", "Non-Slip"],
            materials: &["Wool", "Suede"],
            coloured: true,
            facts: &[("sole", "rubber"), ("season", "winter")],
            use_for: "slow mornings and cosy evenings at home",
            detail: "A memory-foam footbed and a sturdy outdoor sole mean you can pop out for the post without changing shoes.",
            ..BASE
        },
        Kind {
            noun: "Rain Boots",
            prose: "rain boots",
            plural: true,
            price: (3999, 9999),
            features: &["Insulated", "Non-Slip", "Lightweight"],
            materials: &["Natural Rubber"],
            coloured: true,
            facts: &[("shaft_height", "mid-calf"), ("lining", "cotton jersey")],
            use_for: "muddy dog walks, festivals and garden chores",
            detail: "A simple pull-on design and an adjustable side gusset make them easy to wear over jeans, leggings or thick socks.",
            ..BASE
        },
        Kind {
            noun: "Loafers",
            prose: "loafers",
            plural: true,
            price: (6999, 15999),
            features: &["Classic", "Cushioned"],
            materials: &["Leather", "Suede"],
            coloured: true,
            facts: &[("closure", "slip-on"), ("style", "penny loafer")],
            use_for: "smart-casual offices, weddings and weekend brunches",
            detail: "Hand-stitched moccasin construction and a flexible sole give them a broken-in feel straight out of the box.",
            ..BASE
        },
    ],
};

#[rustfmt::skip]
const OUTDOOR: Goods = Goods {
    brands: &["Ridgeline", "Pinecrest", "Cairn & Co.", "Wildhaven", "Basecamp Supply", "Tundra Works"],
    colours: &["Forest Green", "Orange", "Slate Grey", "Sand", "Navy", "Red", "Black", "Olive"],
    features: &[
        ("Waterproof", "Fully taped seams and a durable water-repellent finish keep the rain out when the weather turns."),
        ("Ultralight", "An ultralight build shaves precious grams off your base weight without giving up strength where it counts."),
        ("Packable", "Everything compresses into the included stuff sack, small enough to disappear into a weekend duffel."),
        ("Insulated", "Synthetic insulation stays warm even when damp, which matters most on cold nights in the mountains."),
        ("Rugged", "Reinforced stress points and tough fabrics shrug off rocks, branches and years of hard use."),
        ("Compact", "A compact folded size slips easily into a backpack, car boot or kayak hatch."),
        ("Rechargeable", "A rechargeable USB-C battery tops up from a power bank or solar panel, so there are no disposable batteries to carry."),
    ],
    materials: &[
        ("Ripstop Nylon", "Ripstop nylon resists tears and dries quickly after a wet night at camp."),
        ("Recycled Polyester", "The fabric is spun from recycled polyester made from post-consumer plastic bottles."),
        ("Aluminium", "Anodised aluminium keeps the weight down and resists corrosion from rain and sea air."),
        ("Carbon Fibre", "Carbon fibre is stiff, strong and noticeably lighter in the hand on long ascents."),
        ("Stainless Steel", "Food-grade stainless steel will not rust, rarely dents and never holds on to old flavours."),
    ],
    clashes: &[("Ultralight", "Stainless Steel")],
    closers: &[
        "Every purchase includes a lifetime repair service, because good gear deserves to be fixed rather than replaced.",
        "A thoughtful gift for hikers, campers and anyone planning their next adventure outdoors.",
        "Field-tested by our team on wet weekends in the hills before going on sale.",
    ],
    kinds: &[
        Kind {
            noun: "Backpacking Tent",
            prose: "backpacking tent",
            price: (12999, 49999),
            features: &["Waterproof", "Ultralight", "Rugged"],
            coloured: true,
            variant: Some(Variant {
                key: "capacity",
                values: &["1-Person", "2-Person", "3-Person", "4-Person"],
                template: "{}",
                priced: true,
            }),
            facts: &[("season", "3-season"), ("weight", "1.8 kg")],
            use_for: "wild camping, long-distance hikes and festival weekends",
            detail: "Two doors, two porches and a clip-on pole system let you pitch it in minutes, even in fading light.",
            ..BASE
        },
        Kind {
            noun: "Sleeping Bag",
            prose: "sleeping bag",
            price: (5999, 29999),
            features: &["Insulated", "Ultralight", "Packable"],
            materials: &["Recycled Polyester", "Ripstop Nylon"],
            coloured: true,
            facts: &[("temperature_rating", "-5 °C"), ("shape", "mummy")],
            use_for: "chilly spring nights and high alpine campsites",
            detail: "A draught collar, full-length zip baffle and contoured hood trap warm air around your shoulders all night long.",
            ..BASE
        },
        Kind {
            noun: "Hiking Backpack",
            prose: "hiking backpack",
            price: (6999, 24999),
            features: &["Waterproof", "Ultralight", "Rugged"],
            materials: &["Ripstop Nylon", "Recycled Polyester"],
            coloured: true,
            variant: Some(Variant {
                key: "capacity",
                values: &["28 L", "38 L", "45 L", "65 L"],
                template: " {}",
                priced: true,
            }),
            facts: &[("frame", "internal")],
            use_for: "day hikes, hut-to-hut treks and overnight trips",
            detail: "A ventilated back panel, padded hip belt and hydration sleeve keep you comfortable and organised on the move.",
            ..BASE
        },
        Kind {
            noun: "Camping Lantern",
            prose: "camping lantern",
            price: (1999, 6999),
            features: &["Rechargeable", "Compact", "Rugged"],
            materials: &["Aluminium"],
            coloured: true,
            facts: &[("brightness", "400 lumens")],
            use_for: "late nights around camp and power cuts at home",
            detail: "Three brightness modes and a red night light give just the right glow, and a folding hook hangs it from any tent loop.",
            ..BASE
        },
        Kind {
            noun: "Trekking Poles",
            prose: "trekking poles",
            plural: true,
            price: (3999, 14999),
            features: &["Ultralight", "Compact", "Rugged"],
            materials: &["Aluminium", "Carbon Fibre"],
            coloured: true,
            facts: &[("locking", "flip-lock"), ("length", "100-135 cm")],
            use_for: "steep climbs, knee-friendly descents and river crossings",
            detail: "Cork grips wick away sweat, and quick flip-locks let you adjust the length in seconds with gloves on.",
            ..BASE
        },
        Kind {
            noun: "Camping Stove",
            prose: "camping stove",
            price: (3999, 12999),
            features: &["Compact", "Ultralight", "Rugged"],
            materials: &["Stainless Steel", "Aluminium"],
            facts: &[("fuel", "isobutane canister"), ("boil_time", "3.5 min per litre")],
            use_for: "trailside coffee and hot dinners at camp",
            detail: "A push-button igniter and a wide simmer range let you boil water fast or gently cook a one-pot meal.",
            ..BASE
        },
        Kind {
            noun: "Camp Chair",
            prose: "camp chair",
            price: (3999, 11999),
            features: &["Packable", "Compact", "Rugged"],
            materials: &["Aluminium", "Ripstop Nylon"],
            coloured: true,
            facts: &[("max_load", "120 kg"), ("weight", "1.1 kg")],
            use_for: "campfires, beach days and music festivals",
            detail: "A high back, mesh side pocket and cup holder make it the comfiest seat in camp, and it folds down in seconds.",
            ..BASE
        },
        Kind {
            noun: "Dry Bag",
            prose: "dry bag",
            price: (1299, 3999),
            features: &["Waterproof", "Packable", "Rugged"],
            materials: &["Ripstop Nylon", "Recycled Polyester"],
            coloured: true,
            variant: Some(Variant {
                key: "capacity",
                values: &["5 L", "10 L", "20 L", "30 L"],
                template: " {}",
                priced: true,
            }),
            facts: &[("closure", "roll-top")],
            use_for: "kayaking, paddleboarding and rainy bike tours",
            detail: "A roll-top closure with a buckle seals tight, and a detachable shoulder strap makes it easy to carry on shore.",
            ..BASE
        },
    ],
};

#[rustfmt::skip]
const KITCHEN: Goods = Goods {
    brands: &["Saltworks", "Maison Ferro", "Greyfield", "Oak & Ember", "Hollis & Finch", "Kitchen Atelier"],
    colours: &["Matte Black", "Cream", "Sage Green", "Charcoal", "Red", "Navy", "Stone Grey", "White"],
    features: &[
        ("Non-Stick", "A PFOA-free non-stick coating releases eggs and pancakes cleanly and wipes clean in seconds."),
        ("Dishwasher-Safe", "Every part is dishwasher-safe, so tidying up after a big family dinner takes no effort at all."),
        ("Professional", "Professional-grade construction stands up to daily use in busy home kitchens for years to come."),
        ("Induction-Ready", "An induction-ready base heats evenly on gas, electric, ceramic and induction hobs alike."),
        ("Heavy-Duty", "Heavy-duty construction resists warping and denting, even under high heat and hard daily use."),
        ("Compact", "A compact footprint saves precious counter and cupboard space in smaller kitchens."),
        ("Ergonomic", "An ergonomic handle sits comfortably in the hand and stays secure while you work."),
        ("Eco-Friendly", "Plastic-free materials and recyclable packaging keep waste out of the kitchen bin."),
    ],
    materials: &[
        ("Stainless Steel", "Brushed 18/10 stainless steel resists rust and stains and will not react with acidic sauces."),
        ("Cast Iron", "Cast iron holds heat beautifully for a hard sear, and its seasoning only improves with use."),
        ("Enamelled Cast Iron", "Enamelled cast iron spreads heat slowly and evenly and needs no seasoning before first use."),
        ("Carbon Steel", "High-carbon steel takes a razor edge and holds it through weeks of daily chopping."),
        ("Bamboo", "Fast-growing bamboo is naturally hard-wearing, gentle on knife edges and kind to the planet."),
        ("Acacia Wood", "Acacia wood has a rich grain, resists moisture and looks handsome left out on the counter."),
        ("Glass", "Borosilicate glass handles sudden temperature changes and shows exactly what is inside."),
        ("Ceramic", "Glazed ceramic is non-porous, holds heat well and goes straight from oven to table."),
    ],
    clashes: &[
        ("Non-Stick", "Cast Iron"),
        ("Dishwasher-Safe", "Bamboo"),
        ("Dishwasher-Safe", "Acacia Wood"),
        ("Dishwasher-Safe", "Cast Iron"),
        ("Dishwasher-Safe", "Carbon Steel"),
    ],
    closers: &[
        "Backed by a ten-year warranty and a friendly customer service team if anything ever goes wrong.",
        "A reliable gift for new homeowners, keen cooks and anyone setting up a first kitchen.",
        "Ships in plastic-free packaging, with simple care instructions to keep everything looking its best.",
    ],
    kinds: &[
        Kind {
            noun: "Frying Pan",
            prose: "frying pan",
            price: (2499, 9999),
            features: &["Non-Stick", "Induction-Ready", "Heavy-Duty", "Professional"],
            materials: &["Stainless Steel", "Cast Iron"],
            variant: Some(Variant { key: "diameter", values: &["20 cm", "24 cm", "28 cm"], template: " {}", priced: true }),
            facts: &[("oven_safe", "up to 260 °C")],
            use_for: "crisp fried eggs, seared steaks and quick weeknight stir-fries",
            detail: "A flared rim makes tossing and pouring easy, and a riveted handle stays firmly in place for years.",
            ..BASE
        },
        Kind {
            noun: "Dutch Oven",
            prose: "Dutch oven",
            price: (5999, 29999),
            features: &["Induction-Ready", "Heavy-Duty", "Professional"],
            materials: &["Enamelled Cast Iron"],
            coloured: true,
            variant: Some(Variant { key: "capacity", values: &["3.8 L", "5.2 L", "6.7 L"], template: " {}", priced: true }),
            facts: &[("oven_safe", "up to 250 °C")],
            use_for: "slow-braised stews, crusty sourdough loaves and Sunday roasts",
            detail: "A tight-fitting lid returns moisture to the pot as it cooks, so braised meat comes out meltingly tender.",
            ..BASE
        },
        Kind {
            noun: "Chef's Knife",
            prose: "chef's knife",
            price: (2999, 17999),
            features: &["Professional", "Ergonomic"],
            materials: &["Carbon Steel", "Stainless Steel"],
            variant: Some(Variant { key: "blade_length", values: &["15 cm", "20 cm", "23 cm"], template: " {}", priced: true }),
            facts: &[("handle", "pakkawood")],
            use_for: "dicing onions, carving roasts and chopping fresh herbs",
            detail: "A full tang and a precisely balanced bolster give confident control, whether you rock-chop or slice in long strokes.",
            ..BASE
        },
        Kind {
            noun: "Cutting Board",
            prose: "cutting board",
            price: (1999, 6999),
            features: &["Eco-Friendly", "Heavy-Duty", "Compact"],
            materials: &["Bamboo", "Acacia Wood"],
            facts: &[("size", "45 x 30 cm"), ("care", "hand wash")],
            use_for: "everyday chopping, bread slicing and cheese-board spreads",
            detail: "A deep juice groove catches drips from carved meat and ripe fruit, and the reverse side doubles as a serving board.",
            ..BASE
        },
        Kind {
            noun: "Mixing Bowls",
            prose: "mixing bowls",
            plural: true,
            price: (1999, 5999),
            features: &["Dishwasher-Safe", "Compact", "Eco-Friendly"],
            materials: &["Stainless Steel", "Glass", "Ceramic"],
            variant: Some(Variant { key: "pieces", values: &["3", "5"], template: ", Set of {}", priced: true }),
            facts: &[("lids", "included")],
            use_for: "cake batters, bread doughs and big weeknight salads",
            detail: "The bowls nest neatly inside one another for storage and come with snug lids for proving dough or keeping leftovers.",
            ..BASE
        },
        Kind {
            noun: "Digital Kitchen Scale",
            prose: "kitchen scale",
            price: (1999, 4999),
            features: &["Compact", "Professional"],
            materials: &["Stainless Steel", "Glass"],
            coloured: true,
            facts: &[("capacity", "5 kg"), ("precision", "1 g")],
            use_for: "precise baking, portioning and home coffee brewing",
            detail: "A tare button, bright backlit display and gram or ounce modes make weighing ingredients quick and accurate.",
            ..BASE
        },
        Kind {
            noun: "Stand Mixer",
            prose: "stand mixer",
            price: (19999, 59999),
            features: &["Professional", "Heavy-Duty"],
            coloured: true,
            variant: Some(Variant { key: "capacity", values: &["4.8 L", "5.5 L"], template: " {}", priced: true }),
            facts: &[("power", "1000 W"), ("speeds", "10")],
            use_for: "bread doughs, meringues and birthday cake batters",
            detail: "A planetary mixing action reaches every corner of the bowl, and a dough hook, whisk and flat beater are all included.",
            ..BASE
        },
        Kind {
            noun: "Utensil Set",
            prose: "utensil set",
            price: (1499, 4999),
            features: &["Eco-Friendly", "Dishwasher-Safe", "Ergonomic"],
            materials: &["Bamboo", "Acacia Wood", "Stainless Steel"],
            facts: &[("pieces", "6")],
            use_for: "everyday stirring, flipping and serving",
            detail: "A spatula, slotted spoon, ladle, tongs and whisk arrive with a matching holder that keeps them tidy beside the hob.",
            ..BASE
        },
    ],
};

#[rustfmt::skip]
const COFFEE: &[&str] = &["Highland Roasters", "Ember Roastery", "Morning Ritual", "Daybreak Coffee Co."];
#[rustfmt::skip]
const TEA: &[&str] = &["Tea Lantern", "Morning Ritual", "Jade Garden Teas", "Kettle & Cup"];
#[rustfmt::skip]
const GRAMS: &[&str] = &["250 g", "500 g", "1 kg"];

#[rustfmt::skip]
const COFFEE_TEA: Goods = Goods {
    brands: &["Barista Pro", "Kettle & Cup", "Brewlab", "Morning Ritual", "Stillwater", "Drip & Draw"],
    colours: &["Matte Black", "White", "Copper", "Charcoal", "Sage Green", "Terracotta"],
    features: &[
        ("Organic", "Certified organic and grown without synthetic pesticides, so every cup is kinder to farmers and the soil."),
        ("Fair Trade", "Fair Trade sourcing means the growers behind every bag are paid a fair, stable price for their harvest."),
        ("Single-Origin", "Sourced from a single estate, the flavour is distinct, traceable and changes subtly with each harvest."),
        ("Small-Batch", "Roasted in small batches every week and shipped within days, for beans that arrive fresh and full of aroma."),
        ("Decaf", "A natural, chemical-free decaffeination process removes almost all of the caffeine while keeping the flavour."),
        ("Gooseneck", "A slender gooseneck spout gives a slow, precise pour for even extraction in pour-over brewers."),
        ("Insulated", "Double-wall insulation keeps drinks hot for hours while the outside stays cool enough to hold."),
        ("Precision", "Precise controls let you dial in every variable, so your favourite cup tastes the same every morning."),
        ("Manual", "A manual design needs no power cable or pods and works anywhere, from the kitchen counter to a campsite."),
        ("Leak-Proof", "A leak-proof seal means it can ride upside down in a bag without a single drop escaping."),
        ("Traditional", "Made the traditional way by a family workshop that has crafted teaware for three generations."),
    ],
    materials: &[
        ("Stainless Steel", "Food-grade stainless steel will not rust or hold on to old flavours, and cleans up in seconds."),
        ("Borosilicate Glass", "Heat-resistant borosilicate glass lets you watch the brew bloom and handles boiling water with ease."),
        ("Ceramic", "Glazed stoneware ceramic holds heat well and gives a clean, neutral taste to every brew."),
        ("Cast Iron", "Traditional cast iron keeps tea hot for longer and develops more character with every pot."),
    ],
    clashes: &[("Insulated", "Borosilicate Glass")],
    closers: &[
        "Orders over $40 ship free, and subscriptions can be paused or skipped at any time.",
        "Our baristas are happy to help with brew ratios and grind settings by email.",
        "A lovely treat for coffee and tea lovers, and a thoughtful thank-you gift for colleagues.",
    ],
    kinds: &[
        Kind {
            noun: "Ethiopian Yirgacheffe Whole Bean Coffee",
            prose: "Ethiopian Yirgacheffe coffee",
            price: (1299, 3499),
            features: &["Organic", "Single-Origin", "Fair Trade", "Small-Batch"],
            variant: Some(Variant { key: "weight", values: GRAMS, template: " {}", priced: true }),
            facts: &[("origin", "Ethiopia"), ("roast", "light"), ("form", "whole bean")],
            use_for: "bright morning pour-overs and slow weekend brews",
            detail: "Expect a floral jasmine aroma, bergamot brightness and a clean finish that shines in a pour-over or drip brewer.",
            brands: COFFEE,
            ..BASE
        },
        Kind {
            noun: "Colombian Medium Roast Coffee",
            prose: "Colombian coffee",
            price: (1199, 2999),
            features: &["Organic", "Fair Trade", "Small-Batch", "Decaf"],
            variant: Some(Variant { key: "weight", values: GRAMS, template: " {}", priced: true }),
            facts: &[("origin", "Colombia"), ("roast", "medium"), ("form", "whole bean")],
            use_for: "everyday mugs, cafetières and drip machines",
            detail: "Notes of milk chocolate, caramel and red apple make a crowd-pleasing everyday cup, black or with milk.",
            brands: COFFEE,
            ..BASE
        },
        Kind {
            noun: "Espresso Blend Whole Bean Coffee",
            prose: "espresso blend",
            price: (1299, 3299),
            features: &["Fair Trade", "Small-Batch", "Decaf"],
            variant: Some(Variant { key: "weight", values: GRAMS, template: " {}", priced: true }),
            facts: &[("origin", "Brazil and Guatemala"), ("roast", "dark"), ("form", "whole bean")],
            use_for: "home espresso machines and stovetop moka pots",
            detail: "Dense crema, low acidity and notes of dark chocolate and toasted hazelnut cut through milk in lattes and flat whites.",
            brands: COFFEE,
            ..BASE
        },
        Kind {
            noun: "Earl Grey Loose Leaf Tea",
            prose: "Earl Grey tea",
            price: (899, 2499),
            features: &["Organic", "Fair Trade", "Decaf"],
            variant: Some(Variant { key: "weight", values: &["100 g", "250 g"], template: " {}", priced: true }),
            facts: &[("tea_type", "black"), ("form", "loose leaf")],
            use_for: "afternoon pots and a calm start to the day",
            detail: "Assam and Ceylon black teas are blended with cold-pressed bergamot oil for a bright, citrusy and fragrant cup.",
            brands: TEA,
            ..BASE
        },
        Kind {
            noun: "Japanese Sencha Green Tea",
            prose: "sencha green tea",
            price: (999, 2499),
            features: &["Organic", "Single-Origin"],
            variant: Some(Variant { key: "weight", values: &["100 g", "250 g"], template: " {}", priced: true }),
            facts: &[("tea_type", "green"), ("origin", "Japan")],
            use_for: "mindful afternoon breaks and light lunches",
            detail: "Steamed leaves give a grassy, sweet and gently savoury cup; steep at 75 °C for one minute to avoid bitterness.",
            brands: TEA,
            ..BASE
        },
        Kind {
            noun: "Chamomile Herbal Tea",
            prose: "chamomile tea",
            price: (899, 1999),
            features: &["Organic", "Fair Trade"],
            variant: Some(Variant { key: "weight", values: &["50 g", "100 g"], template: " {}", priced: true }),
            facts: &[("tea_type", "herbal"), ("caffeine", "caffeine-free")],
            use_for: "winding down in the evening before bed",
            detail: "Whole chamomile flowers brew a soft, honeyed cup that is naturally caffeine-free and perfect before sleep.",
            brands: TEA,
            ..BASE
        },
        Kind {
            noun: "Pour-Over Kettle",
            prose: "pour-over kettle",
            price: (4999, 14999),
            features: &["Gooseneck", "Precision"],
            materials: &["Stainless Steel"],
            coloured: true,
            variant: Some(Variant { key: "capacity", values: &["0.9 L", "1 L", "1.2 L"], template: " {}", priced: true }),
            facts: &[("power", "1200 W")],
            use_for: "pour-over coffee and delicate green teas",
            detail: "A temperature hold keeps water at your chosen degree for thirty minutes, and a counterweighted handle makes slow pours effortless.",
            ..BASE
        },
        Kind {
            noun: "French Press",
            prose: "French press",
            price: (1999, 5999),
            features: &["Insulated", "Manual"],
            materials: &["Stainless Steel", "Borosilicate Glass"],
            coloured: true,
            variant: Some(Variant { key: "capacity", values: &["350 ml", "1 L"], template: " {}", priced: true }),
            facts: &[("filter", "stainless mesh")],
            use_for: "rich, full-bodied coffee for one or a crowd",
            detail: "A four-level filter keeps grounds out of your cup, and the plunger glides smoothly every time.",
            ..BASE
        },
        Kind {
            noun: "Burr Coffee Grinder",
            prose: "coffee grinder",
            price: (2999, 19999),
            features: &["Manual", "Precision"],
            materials: &["Stainless Steel", "Ceramic"],
            coloured: true,
            facts: &[("grind_settings", "40"), ("burr", "conical")],
            use_for: "espresso, filter and cold brew at home",
            detail: "Forty click-stop settings run from powder-fine espresso to coarse French press, with even particles at every step.",
            ..BASE
        },
        Kind {
            noun: "Travel Mug",
            prose: "travel mug",
            price: (1999, 3999),
            features: &["Insulated", "Leak-Proof"],
            materials: &["Stainless Steel", "Ceramic"],
            coloured: true,
            variant: Some(Variant { key: "capacity", values: &["350 ml", "470 ml"], template: " {}", priced: true }),
            facts: &[("lid", "flip lid")],
            use_for: "commutes, school runs and long mornings at the desk",
            detail: "A one-handed flip lid makes sipping on the move easy, and the mug fits most car cup holders.",
            ..BASE
        },
        Kind {
            noun: "Infuser Teapot",
            prose: "teapot",
            price: (2499, 5999),
            features: &["Traditional"],
            materials: &["Ceramic", "Cast Iron"],
            coloured: true,
            variant: Some(Variant { key: "capacity", values: &["600 ml", "900 ml"], template: " {}", priced: true }),
            facts: &[("infuser", "removable stainless steel")],
            use_for: "loose-leaf tea for two or a small gathering",
            detail: "A removable fine-mesh infuser lets the leaves unfurl fully, then lifts out so the tea never stews.",
            ..BASE
        },
    ],
};

#[rustfmt::skip]
const ELECTRONICS: Goods = Goods {
    brands: &["Nimbus", "Quanta", "Lumen", "Helix", "Circuit & Co.", "Orbit"],
    colours: &["Space Grey", "Silver", "Midnight Black", "White", "Graphite", "Blue"],
    features: &[
        ("Wireless", "A wireless design means fewer cables, less clutter and a tidier desk or bedside table."),
        ("Fast-Charging", "Fast charging tops the battery up to 50 % in about thirty minutes, so a coffee break is enough."),
        ("Smart", "It works with popular voice assistants and smart-home hubs, with schedules and routines set from your phone."),
        ("Portable", "A slim, portable design slips into a laptop sleeve or coat pocket and travels without fuss."),
        ("4K", "A crisp 4K resolution shows fine detail in photos, films and spreadsheets alike."),
        ("Lightweight", "A lightweight build is easy to carry all day without noticing the extra weight in your bag."),
        ("Energy-Saving", "An energy-saving design sips power in standby and helps trim your monthly electricity bill."),
        ("Rugged", "A rugged, water-resistant shell survives drops, dust and splashes on the road."),
    ],
    materials: &[
        ("Aluminium", "A unibody aluminium chassis feels solid in the hand while staying light enough to carry anywhere."),
        ("Recycled Plastic", "The housing is made from recycled plastic, cutting the new material that goes into every unit."),
    ],
    clashes: &[],
    closers: &[
        "Covered by a two-year warranty, with free returns within 30 days of delivery.",
        "Every order ships with the cables you need in a plastic-free, recyclable box.",
        "A practical gift for students, remote workers and anyone who loves a well-made gadget.",
    ],
    kinds: &[
        Kind {
            noun: "Laptop",
            prose: "laptop",
            price: (59999, 129900),
            features: &["Lightweight", "Fast-Charging"],
            materials: &["Aluminium"],
            coloured: true,
            variant: Some(Variant { key: "storage", values: &["256 GB", "512 GB", "1 TB"], template: " {}", priced: true }),
            facts: &[("screen", "14 inch"), ("memory", "16 GB")],
            use_for: "remote work, study and creative projects on the go",
            detail: "A bright 14-inch display, backlit keyboard and all-day battery make it a dependable everyday machine.",
            ..BASE
        },
        Kind {
            noun: "Tablet",
            prose: "tablet",
            price: (24999, 89999),
            features: &["Lightweight", "Portable", "Fast-Charging"],
            materials: &["Aluminium"],
            coloured: true,
            variant: Some(Variant { key: "storage", values: &["64 GB", "128 GB", "256 GB"], template: " {}", priced: true }),
            facts: &[("screen", "11 inch")],
            use_for: "reading, sketching and streaming on the sofa",
            detail: "An 11-inch laminated display with stylus support makes note-taking and drawing feel natural.",
            ..BASE
        },
        Kind {
            noun: "Charging Stand",
            prose: "charging stand",
            price: (1999, 5999),
            features: &["Wireless"],
            materials: &["Aluminium", "Recycled Plastic"],
            coloured: true,
            facts: &[("output", "15 W"), ("standard", "Qi")],
            use_for: "bedside tables and busy desks",
            detail: "It charges through most phone cases and holds the phone upright, so notifications stay easy to read.",
            ..BASE
        },
        Kind {
            noun: "Power Bank",
            prose: "power bank",
            price: (1999, 6999),
            features: &["Fast-Charging", "Portable", "Rugged"],
            materials: &["Aluminium", "Recycled Plastic"],
            coloured: true,
            variant: Some(Variant { key: "capacity", values: &["10000 mAh", "20000 mAh"], template: " {}", priced: true }),
            facts: &[("ports", "USB-C and USB-A")],
            use_for: "long travel days, festivals and camping weekends",
            detail: "Two ports charge a phone and earbuds at once, and a small display shows exactly how much power is left.",
            ..BASE
        },
        Kind {
            noun: "Thermostat",
            prose: "thermostat",
            price: (9999, 24999),
            features: &["Smart", "Energy-Saving", "Wireless"],
            coloured: true,
            facts: &[("connectivity", "wi-fi"), ("display", "colour touchscreen")],
            use_for: "keeping a home comfortable without wasting energy",
            detail: "It learns your schedule over a week and adjusts the heating automatically, even when you forget.",
            ..BASE
        },
        Kind {
            noun: "Video Doorbell",
            prose: "video doorbell",
            price: (7999, 19999),
            features: &["Smart", "Wireless"],
            coloured: true,
            facts: &[("resolution", "1080p"), ("power", "battery or wired")],
            use_for: "seeing who is at the door from anywhere",
            detail: "Motion alerts, two-way talk and night vision let you greet visitors or guide couriers from your phone.",
            ..BASE
        },
        Kind {
            noun: "Action Camera",
            prose: "action camera",
            price: (14999, 44999),
            features: &["4K", "Rugged", "Portable"],
            facts: &[("waterproof_depth", "10 m"), ("stabilisation", "electronic")],
            use_for: "surfing, cycling, skiing and family holidays",
            detail: "Electronic image stabilisation smooths out bumps, and the camera is waterproof to ten metres without a case.",
            ..BASE
        },
        Kind {
            noun: "Wi-Fi Plug",
            prose: "Wi-Fi plug",
            price: (1499, 3999),
            features: &["Smart", "Energy-Saving"],
            variant: Some(Variant { key: "pack_size", values: &["2", "4"], template: ", Pack of {}", priced: true }),
            facts: &[("max_load", "13 A")],
            use_for: "lamps, fans and coffee makers",
            detail: "Schedules, timers and energy monitoring in the companion app switch devices on and off from anywhere.",
            ..BASE
        },
        Kind {
            noun: "E-Reader",
            prose: "e-reader",
            price: (9999, 24999),
            features: &["Lightweight", "Portable"],
            coloured: true,
            variant: Some(Variant { key: "storage", values: &["16 GB", "32 GB"], template: " {}", priced: true }),
            facts: &[("screen", "7 inch glare-free"), ("water_resistance", "IPX8")],
            use_for: "beach reading, commutes and late nights in bed",
            detail: "A glare-free, paper-like screen with a warm adjustable light is easy on the eyes, even in bright sunshine.",
            ..BASE
        },
        Kind {
            noun: "Monitor",
            prose: "monitor",
            price: (14999, 34999),
            features: &["Portable", "4K", "Lightweight"],
            materials: &["Aluminium"],
            facts: &[("screen", "15.6 inch"), ("connection", "USB-C")],
            use_for: "a second screen on hotel desks, in the office or for gaming",
            detail: "A single USB-C cable carries both power and picture, and a magnetic cover folds into a stand.",
            ..BASE
        },
    ],
};

#[rustfmt::skip]
const AUDIO: Goods = Goods {
    brands: &["Aurora", "Sonora", "Echo Valley", "Resonant", "Bassline", "Halcyon Audio"],
    colours: &["Black", "White", "Midnight Blue", "Sand", "Forest Green", "Silver", "Rose"],
    features: &[
        ("Wireless", "Bluetooth 5.3 gives a stable wireless connection up to ten metres and switches quickly between devices."),
        ("Noise-Cancelling", "Active noise cancelling hushes engine drone, office chatter and city traffic at the touch of a button."),
        ("Waterproof", "An IPX7 waterproof rating means rain, sweat and the odd dunk in the pool are nothing to worry about."),
        ("Hi-Fi", "Hi-fi tuning delivers detailed highs, a natural midrange and tight, punchy bass."),
        ("Portable", "A compact, portable build with a carry loop goes wherever the music needs to."),
        ("Studio", "Studio-grade drivers reproduce recordings the way the artist intended, with no artificial boost."),
        ("Long-Lasting", "A long-lasting battery plays for up to 30 hours, and a ten-minute charge adds another three."),
    ],
    materials: &[
        ("Aluminium", "Machined aluminium accents add strength and a premium finish that feels cool to the touch."),
        ("Walnut", "A solid walnut cabinet adds warmth to the sound and looks beautiful on a shelf."),
        ("Vegan Leather", "Soft vegan leather cushions stay comfortable through long listening sessions."),
        ("Recycled Fabric", "The acoustic fabric is woven from recycled plastic bottles and lets sound pass through unhindered."),
    ],
    clashes: &[],
    closers: &[
        "Covered by a two-year warranty, with free returns within 30 days of delivery.",
        "A great gift for music lovers, podcast fans and anyone with a long commute.",
        "Set-up takes minutes, and our audio team answers questions by email seven days a week.",
    ],
    kinds: &[
        Kind {
            noun: "Headphones",
            prose: "headphones",
            plural: true,
            price: (7999, 39999),
            features: &["Studio", "Hi-Fi", "Wireless", "Noise-Cancelling"],
            materials: &["Vegan Leather", "Aluminium"],
            coloured: true,
            facts: &[("type", "over-ear"), ("driver", "40 mm")],
            use_for: "long flights, focused work and late-night listening",
            detail: "Memory-foam ear cushions and a padded headband keep them comfortable for hours, and they fold flat into a hard case.",
            ..BASE
        },
        Kind {
            noun: "Earbuds",
            prose: "earbuds",
            plural: true,
            price: (2999, 24999),
            features: &["Long-Lasting", "Waterproof", "Wireless", "Noise-Cancelling"],
            coloured: true,
            facts: &[("type", "in-ear"), ("case", "charging case")],
            use_for: "gym sessions, runs and daily commutes",
            detail: "Three sizes of silicone tips give a secure, sealed fit, and touch controls handle calls, tracks and volume.",
            ..BASE
        },
        Kind {
            noun: "Bluetooth Speaker",
            prose: "Bluetooth speaker",
            price: (2999, 19999),
            features: &["Portable", "Waterproof", "Long-Lasting"],
            materials: &["Recycled Fabric", "Aluminium"],
            coloured: true,
            facts: &[("connectivity", "bluetooth")],
            use_for: "beach days, barbecues and shower-time playlists",
            detail: "Pair two together for stereo sound, or use the built-in microphone for hands-free calls.",
            ..BASE
        },
        Kind {
            noun: "Bookshelf Speakers",
            prose: "bookshelf speakers",
            plural: true,
            price: (14999, 69999),
            features: &["Studio", "Hi-Fi", "Wireless"],
            materials: &["Walnut"],
            facts: &[("driver", "5 inch woofer"), ("inputs", "bluetooth, optical and RCA")],
            use_for: "living rooms, turntable setups and home studios",
            detail: "Built-in amplification means you can plug in a turntable or TV directly, with no separate receiver needed.",
            ..BASE
        },
        Kind {
            noun: "Turntable",
            prose: "turntable",
            price: (19999, 59999),
            features: &["Hi-Fi", "Wireless"],
            materials: &["Walnut", "Aluminium"],
            facts: &[("speeds", "33 and 45 rpm"), ("cartridge", "moving magnet")],
            use_for: "rediscovering old vinyl and building a new record collection",
            detail: "A belt drive, die-cast platter and pre-fitted cartridge mean you can unbox it and start spinning records within minutes.",
            ..BASE
        },
        Kind {
            noun: "Soundbar",
            prose: "soundbar",
            price: (14999, 79999),
            features: &["Wireless", "Hi-Fi"],
            materials: &["Recycled Fabric", "Aluminium"],
            coloured: true,
            facts: &[("channels", "3.1"), ("connection", "HDMI eARC")],
            use_for: "film nights, live sport and dialogue-heavy dramas",
            detail: "A dedicated centre channel lifts dialogue clearly above the action, and one HDMI cable connects it to the TV.",
            ..BASE
        },
        Kind {
            noun: "USB Microphone",
            prose: "USB microphone",
            price: (4999, 19999),
            features: &["Studio", "Portable"],
            materials: &["Aluminium"],
            coloured: true,
            facts: &[("pattern", "cardioid"), ("connection", "USB-C")],
            use_for: "podcasts, streaming and crystal-clear video calls",
            detail: "A cardioid pickup pattern focuses on your voice and tunes out keyboard clatter and room echo.",
            ..BASE
        },
        Kind {
            noun: "DAB Radio",
            prose: "DAB radio",
            price: (4999, 17999),
            features: &["Portable", "Hi-Fi", "Long-Lasting"],
            materials: &["Walnut"],
            facts: &[("bands", "DAB+ and FM"), ("presets", "20")],
            use_for: "kitchen mornings, garden afternoons and bedside listening",
            detail: "Twenty station presets, an alarm and a clear display make it easy to find favourite shows.",
            ..BASE
        },
    ],
};

#[rustfmt::skip]
const HOME_DECOR: Goods = Goods {
    brands: &["Linden & Loom", "Hearthside", "Nordhaus", "Willow Lane", "Atelier Clay", "Brightwater Home"],
    colours: &["Ivory", "Sage Green", "Terracotta", "Charcoal", "Mustard", "Dusty Pink", "Navy", "Natural"],
    features: &[
        ("Handmade", "Every piece is handmade by a small workshop, so subtle variations make each one unique."),
        ("Minimalist", "A minimalist, modern shape suits Scandinavian, industrial and cosy cottage interiors alike."),
        ("Vintage-Style", "Vintage-inspired details bring a lived-in warmth, as though the piece has always been part of the room."),
        ("Boho", "A relaxed boho look with natural textures adds warmth and character to any room."),
        ("Oversized", "An oversized scale makes a confident statement above a sofa, bed or fireplace."),
        ("Eco-Friendly", "Eco-friendly materials and plastic-free packaging make this a choice to feel good about."),
    ],
    materials: &[
        ("Ceramic", "Glazed ceramic has a soft sheen and a pleasing weight that feels good in the hand."),
        ("Linen", "Stonewashed linen is naturally breathable and grows softer with every wash."),
        ("Cotton", "Soft organic cotton is grown without harsh chemicals and is gentle against the skin."),
        ("Wool", "Pure wool is naturally warm, resists stains and wears beautifully for years."),
        ("Rattan", "Hand-woven rattan adds natural texture and a breezy, holiday feel to a room."),
        ("Glass", "Mouth-blown glass catches the light beautifully, with tiny bubbles that show it was made by hand."),
        ("Brass", "Solid brass develops a warm, antique patina over time, or polishes back to a bright shine."),
        ("Jute", "Natural jute fibres are hard-wearing, biodegradable and lovely underfoot."),
        ("Soy Wax", "Natural soy wax burns cleanly and evenly, with no paraffin and no soot-blackened glass."),
    ],
    clashes: &[("Minimalist", "Boho"), ("Minimalist", "Vintage-Style")],
    closers: &[
        "Free delivery on orders over $75, with easy returns within 30 days.",
        "Photographed in natural daylight, so what you see is what arrives at your door.",
        "A thoughtful housewarming gift that will be loved for years.",
    ],
    kinds: &[
        Kind {
            noun: "Table Lamp",
            prose: "table lamp",
            price: (3999, 14999),
            features: &["Minimalist", "Handmade", "Vintage-Style"],
            materials: &["Ceramic", "Brass", "Rattan"],
            coloured: true,
            facts: &[("bulb", "E27, not included"), ("height", "45 cm")],
            use_for: "reading corners, bedside tables and cosy living rooms",
            detail: "A linen drum shade softens the light into a warm glow, and an inline switch sits within easy reach.",
            ..BASE
        },
        Kind {
            noun: "Throw Blanket",
            prose: "throw blanket",
            price: (2999, 9999),
            features: &["Boho", "Handmade", "Eco-Friendly"],
            materials: &["Cotton", "Wool", "Linen"],
            coloured: true,
            facts: &[("size", "130 x 170 cm")],
            use_for: "sofa snuggles, chilly evenings and guest-room beds",
            detail: "Knotted tassels finish the edges, and it is big enough to wrap around your shoulders on film night.",
            ..BASE
        },
        Kind {
            noun: "Scented Candle",
            prose: "scented candle",
            price: (1499, 4999),
            features: &["Handmade", "Eco-Friendly"],
            materials: &["Soy Wax"],
            variant: Some(Variant {
                key: "scent",
                values: &["Fig & Cedar", "Sea Salt & Sage", "Amber & Vanilla", "Lavender & Chamomile", "Orange Blossom"],
                template: ", {}",
                priced: false,
            }),
            facts: &[("burn_time", "45 hours")],
            use_for: "relaxing baths, dinner parties and slow Sunday evenings",
            detail: "A crackling wooden wick and a reusable glass jar make it as lovely to look at as it is to light.",
            ..BASE
        },
        Kind {
            noun: "Vase",
            prose: "vase",
            price: (1999, 7999),
            features: &["Minimalist", "Handmade", "Vintage-Style"],
            materials: &["Ceramic", "Glass"],
            coloured: true,
            facts: &[("height", "25 cm")],
            use_for: "fresh bouquets, dried grasses and single stems",
            detail: "A weighted base keeps it steady on mantels and sideboards, and the sealed interior holds water without leaking.",
            ..BASE
        },
        Kind {
            noun: "Wall Mirror",
            prose: "wall mirror",
            price: (4999, 19999),
            features: &["Minimalist", "Oversized", "Vintage-Style"],
            materials: &["Brass", "Rattan"],
            facts: &[("diameter", "80 cm")],
            use_for: "hallways, bathrooms and bright living rooms",
            detail: "Hanging hardware comes pre-fitted, so it goes up in minutes and bounces extra daylight around the room.",
            ..BASE
        },
        Kind {
            noun: "Cushion Cover",
            prose: "cushion cover",
            price: (1499, 3999),
            features: &["Boho", "Handmade", "Minimalist"],
            materials: &["Linen", "Cotton", "Wool"],
            coloured: true,
            variant: Some(Variant { key: "size", values: &["45 x 45 cm", "50 x 50 cm"], template: " {}", priced: true }),
            facts: &[("closure", "hidden zip")],
            use_for: "refreshing a sofa, armchair or window seat",
            detail: "A hidden zip makes it easy to remove for washing, and the cover fits standard feather or fibre inserts.",
            ..BASE
        },
        Kind {
            noun: "Area Rug",
            prose: "area rug",
            price: (7999, 39999),
            features: &["Handmade", "Boho"],
            materials: &["Jute", "Wool"],
            coloured: true,
            variant: Some(Variant {
                key: "size",
                values: &["120 x 170 cm", "160 x 230 cm", "200 x 290 cm"],
                template: " {}",
                priced: true,
            }),
            facts: &[("pile", "flatweave")],
            use_for: "living rooms, bedrooms and open-plan dining spaces",
            detail: "A flatweave construction stays low enough for doors to glide over and is easy to vacuum.",
            ..BASE
        },
        Kind {
            noun: "Botanical Art Print",
            prose: "botanical print",
            price: (1999, 8999),
            features: &["Vintage-Style", "Boho", "Minimalist"],
            variant: Some(Variant { key: "size", values: &["A4", "A3", "50 x 70 cm"], template: " {}", priced: true }),
            facts: &[("frame", "not included"), ("paper", "archival matte")],
            use_for: "gallery walls, home offices and nurseries",
            detail: "Printed with archival inks on heavyweight matte paper, the colours stay rich for decades.",
            ..BASE
        },
    ],
};

#[rustfmt::skip]
const FURNITURE: Goods = Goods {
    brands: &["Oakhurst", "Fjord Living", "Loft & Lumber", "Marlow Home", "Sable Studio", "Ashgrove"],
    colours: &["Charcoal", "Sage Green", "Oatmeal", "Navy", "Terracotta", "Forest Green", "Mustard"],
    features: &[
        ("Mid-Century", "Tapered legs and soft curves give a mid-century modern look that never dates."),
        ("Scandinavian", "Clean Scandinavian lines and a light, airy frame make small rooms feel bigger."),
        ("Industrial", "A powder-coated steel frame with exposed joints brings loft-style character to any room."),
        ("Ergonomic", "Ergonomic design supports good posture through long working days, with adjustments for every body."),
        ("Space-Saving", "A space-saving footprint and clever storage make the most of small flats and studio apartments."),
        ("Extendable", "A hidden extension leaf pulls out in seconds when extra guests arrive."),
        ("Modular", "Modular sections rearrange as your space changes, from a corner layout to a straight run."),
    ],
    materials: &[
        ("Solid Oak", "Solid oak is hard-wearing and naturally beautiful, with a grain that deepens in colour over time."),
        ("Walnut Veneer", "A real walnut veneer over a stable core gives a rich finish without the weight of solid hardwood."),
        ("Steel", "Powder-coated steel resists scratches and corrosion and keeps the frame rigid for years."),
        ("Velvet", "Plush velvet upholstery is soft to the touch and catches the light beautifully."),
        ("Boucle", "Textured boucle fabric is soft, cosy and surprisingly hard-wearing in busy homes."),
        ("Linen Blend", "A linen-blend fabric breathes well and has a relaxed, natural texture."),
        ("Mesh", "Breathable mesh keeps air moving, so you stay cool through long afternoons at the desk."),
        ("Rattan", "Hand-woven rattan brings natural texture and a light, breezy feel."),
    ],
    clashes: &[("Industrial", "Rattan"), ("Scandinavian", "Industrial")],
    closers: &[
        "Delivered free to the room of your choice, with the packaging taken away for recycling.",
        "Easy to assemble with the included tools, and backed by a five-year frame guarantee.",
        "Fabric and wood samples are available on request before you order.",
    ],
    kinds: &[
        Kind {
            noun: "Dining Table",
            prose: "dining table",
            price: (29999, 89900),
            features: &["Extendable", "Scandinavian", "Mid-Century", "Industrial"],
            materials: &["Solid Oak", "Walnut Veneer"],
            variant: Some(Variant { key: "seats", values: &["4", "6", "8"], template: ", Seats {}", priced: true }),
            facts: &[("assembly", "required")],
            use_for: "family dinners, homework sessions and long weekend lunches",
            detail: "Rounded corners are kind to hips and little heads, and a hard-wax oil finish wipes clean after messy meals.",
            ..BASE
        },
        Kind {
            noun: "Accent Chair",
            prose: "accent chair",
            price: (14999, 49999),
            features: &["Mid-Century", "Scandinavian"],
            materials: &["Velvet", "Boucle", "Linen Blend"],
            coloured: true,
            facts: &[("seat_height", "44 cm"), ("assembly", "legs only")],
            use_for: "reading nooks, bedroom corners and living rooms",
            detail: "A deep, sprung seat and high back invite you to curl up with a book, and solid beech legs keep it steady.",
            ..BASE
        },
        Kind {
            noun: "Bookcase",
            prose: "bookcase",
            price: (7999, 29999),
            features: &["Space-Saving", "Industrial", "Scandinavian"],
            materials: &["Solid Oak", "Steel", "Walnut Veneer"],
            facts: &[("shelves", "5"), ("height", "180 cm")],
            use_for: "growing book collections, plants and treasured display pieces",
            detail: "Five deep shelves hold hardcovers and plants alike, and an anti-tip kit secures it safely to the wall.",
            ..BASE
        },
        Kind {
            noun: "Standing Desk",
            prose: "standing desk",
            price: (24999, 69999),
            features: &["Ergonomic", "Industrial"],
            materials: &["Solid Oak", "Walnut Veneer"],
            variant: Some(Variant { key: "width", values: &["120 cm", "140 cm", "160 cm"], template: " {}", priced: true }),
            facts: &[("height_range", "72-120 cm"), ("motor", "dual")],
            use_for: "home offices and long days of focused work",
            detail: "Dual motors glide between sitting and standing heights in seconds, with four memory presets for the whole household.",
            ..BASE
        },
        Kind {
            noun: "Coffee Table",
            prose: "coffee table",
            price: (9999, 39999),
            features: &["Mid-Century", "Scandinavian", "Industrial", "Space-Saving"],
            materials: &["Solid Oak", "Walnut Veneer", "Steel"],
            facts: &[("storage", "lower shelf")],
            use_for: "living rooms, snack trays and stacks of magazines",
            detail: "A lower shelf keeps remotes and magazines tidy, and the sealed top resists rings from hot mugs.",
            ..BASE
        },
        Kind {
            noun: "Sofa",
            prose: "sofa",
            price: (59999, 89900),
            features: &["Mid-Century", "Modular", "Scandinavian"],
            materials: &["Velvet", "Boucle", "Linen Blend"],
            coloured: true,
            variant: Some(Variant { key: "seats", values: &["2-Seater", "3-Seater"], template: "{}", priced: true }),
            facts: &[("covers", "removable")],
            use_for: "film nights, lazy Sundays and overnight guests",
            detail: "Deep seats, feather-wrapped cushions and removable covers make it as practical as it is comfortable.",
            ..BASE
        },
        Kind {
            noun: "Office Chair",
            prose: "office chair",
            price: (14999, 44999),
            features: &["Ergonomic", "Mid-Century"],
            materials: &["Mesh", "Linen Blend"],
            coloured: true,
            facts: &[("adjustments", "seat height, tilt and armrests"), ("max_load", "130 kg")],
            use_for: "home offices, study desks and long video calls",
            detail: "Adjustable lumbar support, a tilting seat and padded armrests keep you comfortable from the first email to the last.",
            ..BASE
        },
        Kind {
            noun: "Bedside Table",
            prose: "bedside table",
            price: (4999, 17999),
            features: &["Scandinavian", "Mid-Century", "Space-Saving"],
            materials: &["Solid Oak", "Walnut Veneer", "Rattan"],
            facts: &[("drawers", "1")],
            use_for: "bedrooms, guest rooms and late-night reading",
            detail: "A soft-close drawer hides chargers and paperbacks, and an open shelf below keeps tomorrow's book within reach.",
            ..BASE
        },
    ],
};

#[rustfmt::skip]
const TOYS_GAMES: Goods = Goods {
    brands: &["Tinker Town", "Marble & Moss", "Brightbox", "Puzzle Peak", "Wonderwood", "Kite & Crane"],
    colours: &["Red", "Blue", "Yellow", "Green", "Rainbow", "Pastel"],
    features: &[
        ("Educational", "Educational play builds fine motor skills, counting and problem solving without ever feeling like a lesson."),
        ("Montessori", "A Montessori-inspired design keeps play simple and open-ended, so children lead the way."),
        ("Eco-Friendly", "Sustainably sourced materials and non-toxic, water-based paints are safe for little hands and curious mouths."),
        ("Family", "Quick rules and short rounds make for easy family game nights that everyone can join."),
        ("Strategy", "Deep strategy rewards careful planning, and no two games ever play out quite the same way."),
        ("Classic", "A timeless classic that grandparents will remember and children will love all over again."),
        ("STEM", "STEM challenges introduce engineering, coding logic and simple physics through hands-on building."),
        ("Cooperative", "Cooperative play means everyone wins or loses together, which keeps younger players smiling."),
        ("Magnetic", "Magnetic pieces stay put on the board, so a game can carry on in the car, on a train or mid-flight."),
    ],
    materials: &[
        ("Beech Wood", "Smooth, sanded beech wood feels warm in the hand and stands up to years of enthusiastic play."),
        ("Walnut", "Rich walnut with a hand-oiled finish makes a piece worth leaving out on the coffee table."),
        ("Recycled Plastic", "Durable recycled plastic is BPA-free, easy to wipe clean and made from reclaimed household waste."),
        ("Organic Cotton", "Soft organic cotton is gentle on sensitive skin and machine washable at 30 °C."),
    ],
    clashes: &[],
    closers: &[
        "Tested to EU and US toy safety standards, so you can play with peace of mind.",
        "Free gift wrapping is available at checkout, with a handwritten message if you like.",
        "Play-tested by the children in our own families before joining the shop.",
    ],
    kinds: &[
        Kind {
            noun: "Stacking Rainbow",
            prose: "stacking rainbow",
            price: (1999, 4999),
            features: &["Montessori", "Eco-Friendly", "Educational"],
            materials: &["Beech Wood"],
            variant: Some(Variant { key: "pieces", values: &["6", "12"], template: " ({} Pieces)", priced: true }),
            facts: &[("age_range", "12 months+")],
            use_for: "babies, toddlers and open-ended play at home",
            detail: "The arches become tunnels, bridges and cradles for small figures, or simply a beautiful rainbow on the shelf.",
            ..BASE
        },
        Kind {
            noun: "Island Explorers Board Game",
            prose: "board game",
            price: (2499, 5999),
            features: &["Family", "Cooperative", "Strategy"],
            facts: &[("players", "2-5"), ("age_range", "8+"), ("play_time", "45 min")],
            use_for: "rainy weekend afternoons and evenings around the kitchen table",
            detail: "Players chart unknown islands, trade supplies and race the tide together before the storm arrives.",
            ..BASE
        },
        Kind {
            noun: "Word Builder Card Game",
            prose: "card game",
            price: (999, 2499),
            features: &["Family", "Educational", "Classic"],
            facts: &[("players", "2-6"), ("age_range", "7+")],
            use_for: "car journeys, holidays and quick games after dinner",
            detail: "Players race to build words from a hand of letter cards, quietly boosting spelling and vocabulary along the way.",
            ..BASE
        },
        Kind {
            noun: "Jigsaw Puzzle",
            prose: "jigsaw puzzle",
            price: (1499, 3999),
            features: &["Family", "Classic"],
            variant: Some(Variant { key: "pieces", values: &["500", "1000", "1500"], template: ", {} Pieces", priced: true }),
            facts: &[("age_range", "12+"), ("finished_size", "68 x 49 cm")],
            use_for: "quiet evenings, holidays and rainy afternoons",
            detail: "Precision-cut pieces lock together snugly, and a poster of the finished image is included in the box.",
            ..BASE
        },
        Kind {
            noun: "Building Blocks Set",
            prose: "building blocks set",
            price: (1999, 7999),
            features: &["STEM", "Educational", "Classic"],
            materials: &["Beech Wood", "Recycled Plastic"],
            coloured: true,
            variant: Some(Variant { key: "pieces", values: &["50", "100", "250"], template: ", {} Pieces", priced: true }),
            facts: &[("age_range", "3+")],
            use_for: "budding builders, architects and engineers",
            detail: "Blocks in classic shapes stack, balance and connect, and a storage tub makes tidying up part of the game.",
            ..BASE
        },
        Kind {
            noun: "Teddy Bear",
            prose: "teddy bear",
            price: (1499, 4499),
            features: &["Classic", "Eco-Friendly"],
            materials: &["Organic Cotton"],
            facts: &[("height", "30 cm"), ("age_range", "0+")],
            use_for: "bedtime cuddles, long car journeys and first birthdays",
            detail: "Embroidered eyes and a soft, huggable body make it safe from birth and sturdy enough to survive years of love.",
            ..BASE
        },
        Kind {
            noun: "Robot Coding Kit",
            prose: "robot coding kit",
            price: (4999, 12999),
            features: &["STEM", "Educational"],
            materials: &["Recycled Plastic"],
            facts: &[("age_range", "8+"), ("battery", "rechargeable")],
            use_for: "curious kids who love to build and tinker",
            detail: "Children build the robot, then program it with drag-and-drop blocks on a tablet before moving on to real code.",
            ..BASE
        },
        Kind {
            noun: "Play Kitchen",
            prose: "play kitchen",
            price: (7999, 19999),
            features: &["Montessori", "Eco-Friendly", "Classic"],
            materials: &["Beech Wood"],
            facts: &[("age_range", "3+"), ("height", "90 cm")],
            use_for: "little chefs, pretend cafés and imaginative play",
            detail: "Clicking hob knobs, an opening oven door and a removable sink bowl keep pretend cooking busy for hours.",
            ..BASE
        },
        Kind {
            noun: "Chess Set",
            prose: "chess set",
            price: (2999, 9999),
            features: &["Classic", "Magnetic"],
            materials: &["Beech Wood", "Walnut"],
            facts: &[("board", "folding, 40 cm"), ("age_range", "6+")],
            use_for: "teaching beginners and long games by the fire",
            detail: "Weighted, felted pieces glide smoothly, and the folding board stores every piece in a fitted tray.",
            ..BASE
        },
    ],
};

#[rustfmt::skip]
const SCENTS: &[&str] = &["Rosemary & Mint", "Lavender", "Citrus", "Sea Salt", "Neroli"];

#[rustfmt::skip]
const BEAUTY: Goods = Goods {
    brands: &["Wildflower Botanics", "Sea & Sage", "Glow Theory", "Pure Ritual", "Moss & Myrrh", "Little Bee Apothecary"],
    colours: &[],
    features: &[
        ("Organic", "Certified organic botanicals are cold-pressed to keep their vitamins and antioxidants intact."),
        ("Vegan", "Vegan and cruelty-free, the formula contains no animal ingredients and is never tested on animals."),
        ("Fragrance-Free", "Fragrance-free and dermatologist-tested, the formula suits sensitive skin prone to redness."),
        ("Hydrating", "Hyaluronic acid and glycerin draw moisture into the skin for a plump, dewy finish that lasts all day."),
        ("Nourishing", "Shea butter and jojoba oil nourish dry, stressed skin and hair, leaving them soft and supple."),
        ("Refillable", "A refillable glass bottle and aluminium refill pouches cut single-use plastic from the bathroom shelf."),
        ("Zero-Waste", "Zero-waste, plastic-free packaging means nothing ends up in landfill once the last of it is used."),
    ],
    materials: &[],
    clashes: &[],
    closers: &[
        "Made in small batches in our workshop and patch-tested before every release.",
        "Free from parabens, sulphates and mineral oils, and packed in recyclable materials.",
        "Free samples come with every order, and it makes a lovely gift for friends who deserve some pampering.",
    ],
    kinds: &[
        Kind {
            noun: "Face Moisturiser",
            prose: "face moisturiser",
            price: (1499, 4999),
            features: &["Hydrating", "Fragrance-Free", "Vegan", "Organic"],
            facts: &[("skin_type", "all skin types"), ("volume", "50 ml")],
            use_for: "a daily morning and evening skincare routine",
            detail: "The lightweight cream sinks in quickly without a greasy finish and sits comfortably under make-up or sunscreen.",
            ..BASE
        },
        Kind {
            noun: "Vitamin C Serum",
            prose: "vitamin C serum",
            price: (1999, 5999),
            features: &["Hydrating", "Vegan", "Organic"],
            facts: &[("volume", "30 ml"), ("key_ingredient", "vitamin C")],
            use_for: "brightening dull skin and fading dark spots",
            detail: "A stable 15 % vitamin C formula brightens tired skin and evens tone within a few weeks of daily use.",
            ..BASE
        },
        Kind {
            noun: "Shampoo Bar",
            prose: "shampoo bar",
            price: (899, 1699),
            features: &["Zero-Waste", "Vegan", "Nourishing"],
            variant: Some(Variant { key: "scent", values: SCENTS, template: ", {}", priced: false }),
            facts: &[("hair_type", "all hair types"), ("weight", "80 g")],
            use_for: "everyday washing at home, at the gym or on holiday",
            detail: "One bar lasts as long as two bottles of liquid shampoo and lathers richly even in hard water.",
            ..BASE
        },
        Kind {
            noun: "Hand Cream",
            prose: "hand cream",
            price: (999, 2999),
            features: &["Nourishing", "Organic"],
            variant: Some(Variant {
                key: "scent",
                values: &["Rose & Geranium", "Lavender", "Sea Salt", "Neroli"],
                template: ", {}",
                priced: false,
            }),
            facts: &[("volume", "75 ml")],
            use_for: "hands that work hard in the garden, the kitchen or cold weather",
            detail: "A rich but fast-absorbing texture leaves no greasy residue, so you can get straight back to work.",
            ..BASE
        },
        Kind {
            noun: "Body Wash",
            prose: "body wash",
            price: (999, 2499),
            features: &["Refillable", "Vegan", "Nourishing"],
            variant: Some(Variant { key: "scent", values: SCENTS, template: ", {}", priced: false }),
            facts: &[("volume", "500 ml")],
            use_for: "energising morning showers and long evening soaks",
            detail: "A gentle, sulphate-free lather cleans without stripping the skin and rinses away easily.",
            ..BASE
        },
        Kind {
            noun: "Lip Balm Set",
            prose: "lip balm set",
            price: (799, 1999),
            features: &["Organic", "Vegan"],
            facts: &[("pieces", "3"), ("flavours", "vanilla, mint and cherry")],
            use_for: "chapped lips on windy walks and winter days",
            detail: "Three pocket-sized tins in vanilla, mint and cherry soothe and protect dry, chapped lips.",
            ..BASE
        },
        Kind {
            noun: "Mineral Sunscreen SPF 50",
            prose: "mineral sunscreen",
            price: (1299, 3499),
            features: &["Hydrating", "Fragrance-Free", "Vegan"],
            facts: &[("spf", "50"), ("volume", "100 ml")],
            use_for: "beach days, hikes and everyday sun protection",
            detail: "Broad-spectrum UVA and UVB protection comes in a water-resistant formula that leaves no white cast.",
            ..BASE
        },
        Kind {
            noun: "Bath Soak",
            prose: "bath soak",
            price: (1299, 3499),
            features: &["Organic", "Zero-Waste"],
            variant: Some(Variant {
                key: "scent",
                values: &["Eucalyptus", "Lavender & Oat", "Rose", "Ginger & Lemongrass"],
                template: ", {}",
                priced: false,
            }),
            facts: &[("weight", "500 g"), ("key_ingredient", "magnesium flakes")],
            use_for: "sore muscles after long runs and slow Sunday baths",
            detail: "Magnesium flakes and Dead Sea salt soften the water and ease tired muscles in a twenty-minute soak.",
            ..BASE
        },
    ],
};

#[rustfmt::skip]
const SPORTS_FITNESS: Goods = Goods {
    brands: &["Ironline", "Pulse Athletics", "Core & Co.", "Flowstate", "Peak Form", "Velocity"],
    colours: &["Black", "Charcoal", "Teal", "Coral", "Navy", "Lilac", "Red", "Forest Green"],
    features: &[
        ("Non-Slip", "A non-slip grip stays secure even when hands and feet get sweaty mid-workout."),
        ("Adjustable", "Adjustable settings let you progress from beginner to advanced without buying new kit."),
        ("Eco-Friendly", "Eco-friendly materials and plastic-free packaging keep your training kinder to the planet."),
        ("Heavy-Duty", "Heavy-duty construction takes daily training, dropped reps and years of hard use in its stride."),
        ("Compact", "A compact footprint tucks under a bed or into a cupboard when the workout is done."),
        ("Lightweight", "Lightweight materials make it easy to carry to the gym, the park or a hotel room."),
        ("Cushioned", "Extra cushioning protects knees, wrists and spine on hard floors."),
        ("Foldable", "A foldable frame collapses flat in seconds and rolls away on built-in transport wheels."),
        ("Water-Resistant", "A water-resistant finish keeps kit dry in a downpour and wipes clean after muddy sessions."),
    ],
    materials: &[
        ("Natural Rubber", "Natural tree rubber gives excellent grip and cushioning and is free from PVC."),
        ("Cork", "Naturally antimicrobial cork resists odour and actually grips better as you sweat."),
        ("Cast Iron", "Solid cast iron with a durable powder coat protects floors and resists chipping."),
        ("Steel", "Chromed steel is strong, rust-resistant and built to last a lifetime of training."),
        ("Recycled Polyester", "Tough recycled polyester is made from post-consumer plastic bottles."),
        ("EVA", "Dense EVA foam holds its shape session after session without flattening out."),
    ],
    clashes: &[],
    closers: &[
        "A free training guide with beginner and advanced routines is included with every order.",
        "Backed by a two-year guarantee, because good kit should keep up with your goals.",
        "A motivating gift for gym regulars, runners and anyone making a fresh start.",
    ],
    kinds: &[
        Kind {
            noun: "Yoga Mat",
            prose: "yoga mat",
            price: (2499, 9999),
            features: &["Non-Slip", "Eco-Friendly", "Cushioned", "Lightweight"],
            materials: &["Natural Rubber", "Cork"],
            coloured: true,
            variant: Some(Variant { key: "thickness", values: &["4 mm", "6 mm"], template: " {}", priced: true }),
            facts: &[("length", "183 cm")],
            use_for: "yoga, pilates and home stretching sessions",
            detail: "Alignment lines help position hands and feet, and a carry strap is included for trips to the studio.",
            ..BASE
        },
        Kind {
            noun: "Dumbbell Set",
            prose: "dumbbell set",
            price: (4999, 29999),
            features: &["Adjustable", "Heavy-Duty", "Compact"],
            materials: &["Cast Iron", "Steel"],
            variant: Some(Variant { key: "weight", values: &["10 kg", "20 kg", "32 kg"], template: " {}", priced: true }),
            facts: &[("handle", "knurled chrome")],
            use_for: "strength training at home, from curls to lunges",
            detail: "Knurled handles give a secure grip, and a storage tray keeps the plates organised between sessions.",
            ..BASE
        },
        Kind {
            noun: "Resistance Band Set",
            prose: "resistance band set",
            price: (1499, 4999),
            features: &["Lightweight", "Compact"],
            materials: &["Natural Rubber"],
            facts: &[("pieces", "5"), ("resistance", "5-50 kg")],
            use_for: "travel workouts, physio routines and home strength training",
            detail: "Five colour-coded bands, a door anchor, ankle straps and handles add up to a full gym that fits in a bag.",
            ..BASE
        },
        Kind {
            noun: "Kettlebell",
            prose: "kettlebell",
            price: (2499, 9999),
            features: &["Heavy-Duty", "Non-Slip"],
            materials: &["Cast Iron"],
            variant: Some(Variant { key: "weight", values: &["8 kg", "12 kg", "16 kg", "24 kg"], template: " {}", priced: true }),
            facts: &[("base", "flat")],
            use_for: "swings, squats and full-body conditioning",
            detail: "A wide, smooth handle fits two hands comfortably, and a flat base keeps it stable for renegade rows.",
            ..BASE
        },
        Kind {
            noun: "Foam Roller",
            prose: "foam roller",
            price: (1499, 4999),
            features: &["Eco-Friendly", "Lightweight"],
            materials: &["EVA", "Cork"],
            coloured: true,
            facts: &[("length", "45 cm"), ("density", "firm")],
            use_for: "post-run recovery and easing tight muscles",
            detail: "A textured surface works into tight calves, quads and back muscles to speed recovery after hard sessions.",
            ..BASE
        },
        Kind {
            noun: "Jump Rope",
            prose: "jump rope",
            price: (999, 2999),
            features: &["Adjustable", "Lightweight"],
            materials: &["Steel"],
            coloured: true,
            facts: &[("length", "up to 3 m"), ("bearings", "ball bearing")],
            use_for: "cardio bursts, boxing drills and quick warm-ups",
            detail: "Ball-bearing handles spin smoothly for fast double-unders, and the cable trims to your height in minutes.",
            ..BASE
        },
        Kind {
            noun: "Exercise Bike",
            prose: "exercise bike",
            price: (19999, 69999),
            features: &["Foldable", "Compact", "Adjustable"],
            materials: &["Steel"],
            facts: &[("resistance_levels", "16"), ("max_load", "120 kg")],
            use_for: "home cardio, rainy-day training and interval workouts",
            detail: "Sixteen magnetic resistance levels stay whisper-quiet, and a tablet holder keeps your favourite class in view.",
            ..BASE
        },
        Kind {
            noun: "Gym Bag",
            prose: "gym bag",
            price: (2499, 7999),
            features: &["Water-Resistant", "Lightweight"],
            materials: &["Recycled Polyester"],
            coloured: true,
            variant: Some(Variant { key: "capacity", values: &["30 L", "40 L"], template: " {}", priced: true }),
            facts: &[("compartments", "ventilated shoe pocket")],
            use_for: "gym sessions, swimming lessons and weekend trips",
            detail: "A ventilated shoe pocket keeps muddy trainers away from clean clothes, and padded straps make it easy to carry.",
            ..BASE
        },
    ],
};

#[rustfmt::skip]
const PET_SUPPLIES: Goods = Goods {
    brands: &["Pawsome", "Good Boy Goods", "Whisker & Co.", "Tail Trail", "Furrow Pet", "Happy Paws"],
    colours: &["Charcoal", "Navy", "Olive", "Mustard", "Grey", "Red", "Blush Pink"],
    features: &[
        ("Orthopedic", "Orthopedic memory foam supports aching joints, ideal for older dogs and large breeds."),
        ("Machine-Washable", "Machine-washable fabric means muddy paw prints and shed fur wash out with no fuss."),
        ("Durable", "Tough, chew-resistant construction stands up to enthusiastic chewers and rough play."),
        ("Reflective", "Reflective stitching catches headlights and torchlight on dark evening walks."),
        ("Waterproof", "A waterproof lining stops spills, wet coats and little accidents from soaking through."),
        ("Natural", "Made with natural, grain-free ingredients and no artificial colours, flavours or preservatives."),
        ("Interactive", "Interactive play keeps curious minds busy and helps ease boredom while you are out."),
        ("Adjustable", "Adjustable straps give a snug, comfortable fit as your pet grows or changes coats."),
        ("Non-Slip", "A non-slip base stays put on tiles and wooden floors, even during the most excited mealtimes."),
    ],
    materials: &[
        ("Nylon", "Heavy-duty nylon webbing is soft on fur but strong enough for the most determined pullers."),
        ("Leather", "Vegetable-tanned leather softens with use and ages into something handsome and supple."),
        ("Natural Rubber", "Non-toxic natural rubber is tough, bouncy and gentle on teeth and gums."),
        ("Stainless Steel", "Food-grade stainless steel is hygienic, rust-proof and dishwasher-safe."),
        ("Ceramic", "Heavy glazed ceramic is hard to tip over and easy to keep spotlessly clean."),
        ("Sisal", "Natural sisal rope is tough enough for daily scratching and satisfies a cat's instinct to claw."),
    ],
    clashes: &[],
    closers: &[
        "Tested by our own office dogs and cats before joining the shop.",
        "A portion of every sale supports local animal rescue charities.",
        "Our team will happily help you choose the right size or style by email.",
    ],
    kinds: &[
        Kind {
            noun: "Dog Bed",
            prose: "dog bed",
            price: (3999, 14999),
            features: &["Orthopedic", "Waterproof", "Machine-Washable"],
            coloured: true,
            variant: Some(Variant { key: "size", values: &["Small", "Medium", "Large", "XL"], template: ", Size {}", priced: true }),
            facts: &[("filling", "memory foam")],
            use_for: "deep naps, lazy afternoons and long nights by the fire",
            detail: "Raised bolsters make a comfy headrest, and a non-slip base keeps the bed in place on hard floors.",
            ..BASE
        },
        Kind {
            noun: "Dog Lead",
            prose: "dog lead",
            price: (1499, 4999),
            features: &["Reflective", "Durable"],
            materials: &["Nylon", "Leather"],
            coloured: true,
            facts: &[("length", "1.5 m"), ("clip", "swivel")],
            use_for: "daily walks, city strolls and training sessions",
            detail: "A padded handle saves your hands on strong pullers, and a swivel clip stops the lead from twisting.",
            ..BASE
        },
        Kind {
            noun: "Dog Harness",
            prose: "dog harness",
            price: (1999, 5999),
            features: &["Reflective", "Adjustable"],
            materials: &["Nylon"],
            coloured: true,
            variant: Some(Variant { key: "size", values: &["S", "M", "L"], template: ", Size {}", priced: false }),
            facts: &[("fit", "no-pull")],
            use_for: "dogs that pull, hiking trails and long countryside walks",
            detail: "A front clip discourages pulling, and a padded chest plate spreads pressure away from the throat.",
            ..BASE
        },
        Kind {
            noun: "Cat Scratching Post",
            prose: "scratching post",
            price: (2499, 9999),
            features: &["Durable", "Interactive"],
            materials: &["Sisal"],
            coloured: true,
            facts: &[("height", "80 cm")],
            use_for: "keeping claws healthy and sofas in one piece",
            detail: "A weighted base keeps it steady under a full-stretch scratch, and a dangling pompom tempts cats to play.",
            ..BASE
        },
        Kind {
            noun: "Dog Chew Toy",
            prose: "chew toy",
            price: (799, 1999),
            features: &["Durable", "Interactive"],
            materials: &["Natural Rubber"],
            coloured: true,
            facts: &[("dog_size", "medium to large")],
            use_for: "teething puppies and power chewers",
            detail: "A hollow centre can be stuffed with treats or frozen peanut butter to keep dogs busy for ages.",
            ..BASE
        },
        Kind {
            noun: "Pet Bowl Set",
            prose: "pet bowl set",
            price: (1499, 3999),
            features: &["Non-Slip", "Durable"],
            materials: &["Stainless Steel", "Ceramic"],
            facts: &[("pieces", "2"), ("capacity", "700 ml each")],
            use_for: "everyday mealtimes for cats and dogs",
            detail: "Two bowls sit in a raised stand at a comfortable height, which helps digestion and keeps kibble off the floor.",
            ..BASE
        },
        Kind {
            noun: "Salmon Dog Treats",
            prose: "salmon treats",
            plural: true,
            price: (599, 1999),
            features: &["Natural"],
            variant: Some(Variant { key: "weight", values: &["200 g", "500 g"], template: " {}", priced: true }),
            facts: &[("protein", "salmon"), ("life_stage", "adult")],
            use_for: "training sessions, good behaviour and everyday rewards",
            detail: "Soft, bite-sized pieces break easily in the hand and are rich in omega-3 for a glossy coat.",
            ..BASE
        },
        Kind {
            noun: "Chicken Cat Treats",
            prose: "chicken cat treats",
            plural: true,
            price: (499, 1499),
            features: &["Natural"],
            variant: Some(Variant { key: "weight", values: &["60 g", "150 g"], template: " {}", priced: true }),
            facts: &[("protein", "chicken"), ("life_stage", "all ages")],
            use_for: "playtime rewards and keeping fussy eaters happy",
            detail: "Crunchy on the outside with a soft centre, each treat has under two calories, so a handful will not spoil dinner.",
            ..BASE
        },
    ],
};

#[rustfmt::skip]
const GARDEN: Goods = Goods {
    brands: &["Greenthumb", "Potting Shed Co.", "Fernleaf", "Rootstock", "Meadowlark", "Orchard & Vine"],
    colours: &["Terracotta", "Sage Green", "Charcoal", "Cream", "Black", "Stone"],
    features: &[
        ("Weatherproof", "Weatherproof construction shrugs off rain, frost and summer sun, season after season."),
        ("Self-Watering", "A self-watering reservoir keeps roots evenly moist for up to two weeks, ideal while you are on holiday."),
        ("Heavy-Duty", "Heavy-duty construction is built for years of digging, hauling and hard work outdoors."),
        ("Ergonomic", "Soft-grip ergonomic handles reduce strain on wrists through long afternoons of digging and pruning."),
        ("Organic", "Certified organic and peat-free, it feeds the soil life that healthy plants depend on."),
        ("Solar-Powered", "A built-in solar panel charges by day and switches on automatically at dusk, with no wiring needed."),
        ("Heirloom", "Heirloom, open-pollinated varieties mean you can save seeds from this year's harvest to sow next spring."),
        ("Expandable", "The hose expands to three times its length under water pressure and shrinks back for tidy storage."),
    ],
    materials: &[
        ("Galvanised Steel", "Galvanised steel resists rust and stays strong for many seasons outdoors."),
        ("Cedar", "Naturally rot-resistant cedar weathers to a soft silver grey without any treatment."),
        ("Stainless Steel", "Stainless steel resists rust, stays smart and wipes clean after a muddy day."),
        ("Recycled Plastic", "Frost-proof recycled plastic is light to move yet tough enough for years outdoors."),
        ("Ceramic", "Frost-resistant glazed ceramic brings a splash of colour to patios and windowsills."),
        ("Ash Wood", "Smooth ash wood handles are strong, light and comfortable to grip for hours."),
    ],
    clashes: &[],
    closers: &[
        "Our horticulturists are happy to answer growing questions by email, all season long.",
        "Packed in plastic-free, recyclable materials, because gardeners care about the planet.",
        "A welcome gift for new allotment holders, balcony gardeners and green-fingered friends.",
    ],
    kinds: &[
        Kind {
            noun: "Raised Garden Bed",
            prose: "raised garden bed",
            price: (4999, 24999),
            features: &["Weatherproof", "Heavy-Duty"],
            materials: &["Galvanised Steel", "Cedar"],
            variant: Some(Variant { key: "size", values: &["120 x 60 cm", "180 x 90 cm"], template: " {}", priced: true }),
            facts: &[("depth", "30 cm")],
            use_for: "growing vegetables, herbs and cut flowers",
            detail: "A deep, bottomless design gives roots plenty of room, and the corner posts bolt together without tools.",
            ..BASE
        },
        Kind {
            noun: "Planter",
            prose: "planter",
            price: (1999, 7999),
            features: &["Self-Watering", "Weatherproof"],
            materials: &["Ceramic", "Recycled Plastic"],
            coloured: true,
            variant: Some(Variant { key: "diameter", values: &["25 cm", "35 cm", "45 cm"], template: " {}", priced: true }),
            facts: &[("drainage", "overflow hole")],
            use_for: "patios, balconies and sunny windowsills",
            detail: "A water-level indicator shows when to top up, and an overflow hole stops roots from sitting in water.",
            ..BASE
        },
        Kind {
            noun: "Pruning Shears",
            prose: "pruning shears",
            plural: true,
            price: (1499, 4999),
            features: &["Ergonomic", "Heavy-Duty"],
            materials: &["Stainless Steel"],
            facts: &[("cut_capacity", "20 mm"), ("type", "bypass")],
            use_for: "roses, fruit trees and overgrown shrubs",
            detail: "Bypass blades make clean cuts that heal quickly, and a safety lock keeps them closed in a pocket.",
            ..BASE
        },
        Kind {
            noun: "Garden Hose",
            prose: "garden hose",
            price: (1999, 5999),
            features: &["Expandable", "Heavy-Duty"],
            coloured: true,
            variant: Some(Variant { key: "length", values: &["15 m", "30 m"], template: " {}", priced: true }),
            facts: &[("nozzle", "10-pattern spray gun")],
            use_for: "watering beds, washing cars and filling paddling pools",
            detail: "A ten-pattern spray gun covers everything from a gentle shower for seedlings to a jet for muddy boots.",
            ..BASE
        },
        Kind {
            noun: "Path Lights",
            prose: "path lights",
            plural: true,
            price: (1999, 6999),
            features: &["Solar-Powered", "Weatherproof"],
            materials: &["Stainless Steel"],
            variant: Some(Variant { key: "pack_size", values: &["4", "8"], template: ", Pack of {}", priced: true }),
            facts: &[("light", "warm white")],
            use_for: "garden paths, borders and patio edges",
            detail: "Warm white LEDs glow for up to eight hours after a sunny day, and spiked stakes push straight into soft ground.",
            ..BASE
        },
        Kind {
            noun: "Vegetable Seed Collection",
            prose: "vegetable seed collection",
            price: (999, 2999),
            features: &["Heirloom", "Organic"],
            facts: &[("varieties", "12"), ("sowing", "spring")],
            use_for: "first-time growers and seasoned allotment keepers",
            detail: "Twelve easy varieties, from cherry tomatoes to rainbow chard, come with sowing guides on every packet.",
            ..BASE
        },
        Kind {
            noun: "Peat-Free Compost",
            prose: "peat-free compost",
            price: (999, 2499),
            features: &["Organic"],
            variant: Some(Variant { key: "volume", values: &["20 L", "50 L"], template: " {}", priced: true }),
            facts: &[("use", "pots and borders")],
            use_for: "potting on seedlings, filling containers and top-dressing borders",
            detail: "A fine, crumbly texture holds moisture without waterlogging and is enriched with seaweed for strong roots.",
            ..BASE
        },
        Kind {
            noun: "Garden Tool Set",
            prose: "garden tool set",
            price: (2499, 7999),
            features: &["Ergonomic", "Heavy-Duty"],
            materials: &["Stainless Steel", "Ash Wood"],
            facts: &[("pieces", "3")],
            use_for: "planting bulbs, weeding borders and potting up",
            detail: "A trowel, transplanter and hand fork come in a waxed canvas roll that hangs neatly in the shed.",
            ..BASE
        },
        Kind {
            noun: "Bird Feeder",
            prose: "bird feeder",
            price: (1499, 4999),
            features: &["Weatherproof"],
            materials: &["Cedar", "Galvanised Steel"],
            facts: &[("feed", "seed and suet")],
            use_for: "attracting finches, tits and robins to the garden",
            detail: "A wide roof keeps the seed dry, and the base slides out for cleaning in seconds.",
            ..BASE
        },
    ],
};

#[rustfmt::skip]
const CLOTHING: Goods = Goods {
    brands: &["Northbound", "Harbour & Hem", "Woolcraft", "Field Day", "Slate & Stitch", "Cotton Lane"],
    colours: &["Black", "Navy", "Heather Grey", "Olive", "Cream", "Rust", "Forest Green", "Burgundy"],
    features: &[
        ("Waterproof", "A waterproof, breathable shell with taped seams keeps you dry in downpours without feeling clammy."),
        ("Breathable", "Breathable, moisture-wicking fabric pulls sweat away from the skin to keep you cool and dry."),
        ("Relaxed-Fit", "A relaxed fit drapes easily over the body and leaves room to layer underneath."),
        ("Slim-Fit", "A slim fit through the body gives a clean, tailored silhouette without feeling tight."),
        ("Insulated", "Lightweight synthetic insulation traps heat even when damp and packs down small."),
        ("Packable", "It packs into its own pocket, so it is easy to carry just in case the weather turns."),
        ("Classic", "A classic cut that never dates, and a wardrobe staple to reach for year after year."),
        ("Stretch", "A touch of stretch moves with you, whether you are cycling to work or chasing a toddler."),
    ],
    materials: &[
        ("Organic Cotton", "Soft organic cotton is grown without harsh chemicals and feels great against the skin."),
        ("Merino Wool", "Merino wool regulates temperature, resists odour and feels soft rather than scratchy."),
        ("Linen", "Airy European linen keeps you cool on hot days and looks better with every wash."),
        ("Recycled Polyester", "Recycled polyester made from plastic bottles is durable, quick-drying and light."),
        ("Cotton Twill", "Sturdy cotton twill softens with every wash while keeping a sharp shape."),
        ("Lambswool", "Lambswool is soft, warm and lighter than it looks, ideal for layering."),
    ],
    clashes: &[("Relaxed-Fit", "Slim-Fit")],
    closers: &[
        "Free returns and exchanges within 60 days if the size is not quite right.",
        "Our size guide lists exact measurements for every size, and most customers find the fit true to size.",
        "Made in factories we visit every year, and packed without single-use plastic.",
    ],
    kinds: &[
        Kind {
            noun: "T-Shirt",
            prose: "T-shirt",
            price: (1499, 4999),
            features: &["Classic", "Relaxed-Fit", "Breathable"],
            materials: &["Organic Cotton", "Merino Wool", "Linen"],
            coloured: true,
            variant: Some(Variant { key: "size", values: SIZES, template: ", Size {}", priced: false }),
            facts: &[("neckline", "crew neck")],
            use_for: "hot summer days, layering and lazy weekends",
            detail: "A reinforced crew neck keeps its shape wash after wash, and side-seam construction stops the body from twisting.",
            ..BASE
        },
        Kind {
            noun: "Hoodie",
            prose: "hoodie",
            price: (3999, 8999),
            features: &["Classic", "Relaxed-Fit"],
            materials: &["Organic Cotton", "Recycled Polyester"],
            coloured: true,
            variant: Some(Variant { key: "size", values: SIZES, template: ", Size {}", priced: false }),
            facts: &[("pockets", "kangaroo pocket")],
            use_for: "chilly mornings, travel days and weekends at home",
            detail: "A brushed-back lining feels cosy against the skin, and the double-layer hood keeps its shape.",
            ..BASE
        },
        Kind {
            noun: "Rain Jacket",
            prose: "rain jacket",
            price: (6999, 19999),
            features: &["Waterproof", "Packable", "Breathable"],
            materials: &["Recycled Polyester"],
            coloured: true,
            variant: Some(Variant { key: "size", values: SIZES, template: ", Size {}", priced: false }),
            facts: &[("hood", "adjustable")],
            use_for: "commutes, city breaks and showery hill walks",
            detail: "An adjustable hood, storm flap and zipped pockets keep the weather out and your phone dry.",
            ..BASE
        },
        Kind {
            noun: "Puffer Jacket",
            prose: "puffer jacket",
            price: (8999, 24999),
            features: &["Insulated", "Packable"],
            materials: &["Recycled Polyester"],
            coloured: true,
            variant: Some(Variant { key: "size", values: SIZES, template: ", Size {}", priced: false }),
            facts: &[("fill", "synthetic")],
            use_for: "cold winter commutes and frosty weekend walks",
            detail: "Baffled quilting keeps the insulation evenly spread, and fleece-lined pockets warm cold hands.",
            ..BASE
        },
        Kind {
            noun: "Chinos",
            prose: "chinos",
            plural: true,
            price: (3999, 8999),
            features: &["Classic", "Slim-Fit", "Stretch"],
            materials: &["Cotton Twill"],
            coloured: true,
            variant: Some(Variant { key: "waist", values: &["30", "32", "34", "36"], template: ", Waist {}", priced: false }),
            facts: &[("leg", "tapered")],
            use_for: "office days, weekend lunches and evenings out",
            detail: "A hidden stretch waistband and deep pockets make them as comfortable at the desk as at dinner.",
            ..BASE
        },
        Kind {
            noun: "Jumper",
            prose: "jumper",
            price: (4999, 14999),
            features: &["Classic", "Relaxed-Fit"],
            materials: &["Merino Wool", "Lambswool", "Organic Cotton"],
            coloured: true,
            variant: Some(Variant { key: "size", values: SIZES, template: ", Size {}", priced: false }),
            facts: &[("neckline", "crew neck")],
            use_for: "cool autumn days, layering over shirts and cosy nights in",
            detail: "Ribbed cuffs and hem hold their shape, and the fine-gauge knit layers easily under a coat.",
            ..BASE
        },
        Kind {
            noun: "Shirt",
            prose: "shirt",
            price: (3999, 9999),
            features: &["Relaxed-Fit", "Breathable", "Slim-Fit"],
            materials: &["Linen", "Organic Cotton"],
            coloured: true,
            variant: Some(Variant { key: "size", values: SIZES, template: ", Size {}", priced: false }),
            facts: &[("collar", "button-down")],
            use_for: "warm-weather weddings, holidays and smart-casual days",
            detail: "A soft button-down collar and mother-of-pearl buttons give it a polished look, with or without a blazer.",
            ..BASE
        },
        Kind {
            noun: "Beanie",
            prose: "beanie",
            price: (1499, 3999),
            features: &["Classic"],
            materials: &["Merino Wool", "Lambswool"],
            coloured: true,
            facts: &[("size", "one size")],
            use_for: "frosty walks, ski trips and windy winter days",
            detail: "A deep ribbed cuff folds over to cover the ears and keeps its shape all season.",
            ..BASE
        },
        Kind {
            noun: "Hiking Socks",
            prose: "hiking socks",
            plural: true,
            price: (1499, 3499),
            features: &["Breathable"],
            materials: &["Merino Wool"],
            coloured: true,
            variant: Some(Variant { key: "pack_size", values: &["2", "3"], template: ", Pack of {}", priced: true }),
            facts: &[("cushioning", "full")],
            use_for: "long hikes, cold weekends and all-day comfort in boots",
            detail: "Cushioned soles and a seamless toe prevent blisters, and a reinforced heel handles many miles of trail.",
            ..BASE
        },
    ],
};

#[rustfmt::skip]
const STATIONERY: Goods = Goods {
    brands: &["Papermill", "Foxglove Press", "Ledger & Line", "Marigold Paper", "Nib & Notch", "Studio Folio"],
    colours: &["Black", "Navy", "Forest Green", "Burgundy", "Sand", "Sky Blue", "Terracotta"],
    features: &[
        ("Refillable", "A refillable design means you keep the parts you love and only replace what runs out."),
        ("Recycled", "Made with 100 % recycled paper and card, without compromising on quality or feel."),
        ("Lay-Flat", "A lay-flat binding opens fully on the desk, so both pages are easy to write across."),
        ("Bleed-Proof", "Thick 120 gsm paper resists ghosting and bleed-through, even with fountain pens and markers."),
        ("Undated", "Undated pages let you start any time of year and skip busy weeks without wasting paper."),
        ("Handmade", "Each piece is handmade by our bookbinders and craftspeople, with details you can see and feel."),
        ("Quick-Drying", "Quick-drying ink resists smudges, which left-handed writers will especially appreciate."),
        ("Minimalist", "A minimalist design keeps the desk calm and clutter-free, so the focus stays on the work."),
    ],
    materials: &[
        ("Linen", "A linen-wrapped hardcover is tactile, hard-wearing and ages gracefully in a bag."),
        ("Vegan Leather", "Soft vegan leather looks and feels premium without any animal products."),
        ("Leather", "Full-grain leather develops a rich patina as it travels with you."),
        ("Brass", "Solid brass has a satisfying weight in the hand and mellows to a warm, antique glow."),
        ("Bamboo", "Sustainable bamboo is light, strong and has a calm, natural grain."),
        ("Resin", "Polished resin is light, durable and finished with a subtle pearlescent swirl."),
    ],
    clashes: &[],
    closers: &[
        "Orders are packed by hand in our studio and dispatched within one working day.",
        "A thoughtful gift for writers, students and list-makers everywhere.",
        "Try it risk-free: if it does not suit the way you work, return it within 30 days.",
    ],
    kinds: &[
        Kind {
            noun: "Dot Grid Notebook",
            prose: "dot grid notebook",
            price: (1299, 3999),
            features: &["Lay-Flat", "Bleed-Proof", "Recycled"],
            materials: &["Linen", "Vegan Leather", "Leather"],
            coloured: true,
            variant: Some(Variant { key: "size", values: &["A5", "B5", "A4"], template: " {}", priced: true }),
            facts: &[("pages", "192")],
            use_for: "bullet journals, meeting notes and sketches",
            detail: "Numbered pages, an index, two ribbon markers and a back pocket keep every idea easy to find.",
            ..BASE
        },
        Kind {
            noun: "Weekly Planner",
            prose: "weekly planner",
            price: (1499, 4499),
            features: &["Undated", "Lay-Flat"],
            materials: &["Linen", "Vegan Leather"],
            coloured: true,
            facts: &[("layout", "week on two pages")],
            use_for: "busy weeks, study schedules and family calendars",
            detail: "Monthly overviews, weekly spreads and goal-setting pages help you plan big projects and small errands alike.",
            ..BASE
        },
        Kind {
            noun: "Fountain Pen",
            prose: "fountain pen",
            price: (1999, 14999),
            features: &["Handmade", "Refillable"],
            materials: &["Brass", "Resin"],
            coloured: true,
            variant: Some(Variant { key: "nib", values: &["Fine", "Medium", "Broad"], template: ", {} Nib", priced: false }),
            facts: &[("filling", "cartridge or converter")],
            use_for: "letters, journaling and everyday note-taking",
            detail: "A smooth steel nib glides across the page, and the pen takes standard cartridges or bottled ink with the converter.",
            ..BASE
        },
        Kind {
            noun: "Gel Pen Set",
            prose: "gel pen set",
            price: (999, 2999),
            features: &["Quick-Drying", "Refillable"],
            facts: &[("pieces", "12"), ("tip", "0.5 mm")],
            use_for: "colour-coded notes, planners and doodles",
            detail: "Twelve vivid colours write smoothly and evenly, and a clear case keeps them organised on the desk.",
            ..BASE
        },
        Kind {
            noun: "Watercolour Sketchbook",
            prose: "watercolour sketchbook",
            price: (1499, 4499),
            features: &["Lay-Flat", "Handmade"],
            materials: &["Linen"],
            coloured: true,
            variant: Some(Variant { key: "size", values: &["A5", "A4"], template: " {}", priced: true }),
            facts: &[("paper_weight", "300 gsm")],
            use_for: "painting outdoors, urban sketching and art classes",
            detail: "Cold-pressed, acid-free paper takes washes and layers without buckling, and an elastic band keeps it closed in a bag.",
            ..BASE
        },
        Kind {
            noun: "Desk Organiser",
            prose: "desk organiser",
            price: (1999, 6999),
            features: &["Minimalist", "Handmade"],
            materials: &["Bamboo", "Brass"],
            facts: &[("compartments", "5")],
            use_for: "tidy desks, home offices and craft corners",
            detail: "Five compartments hold pens, phone, notes and clips, keeping everything within reach but out of the way.",
            ..BASE
        },
        Kind {
            noun: "Washi Tape Set",
            prose: "washi tape set",
            price: (799, 1999),
            features: &["Recycled"],
            facts: &[("rolls", "10"), ("width", "15 mm")],
            use_for: "journals, gift wrapping and scrapbooks",
            detail: "Ten rolls in botanical and geometric prints tear cleanly by hand and peel off without leaving residue.",
            ..BASE
        },
        Kind {
            noun: "Journal",
            prose: "journal",
            price: (1999, 5999),
            features: &["Handmade", "Refillable"],
            materials: &["Leather"],
            coloured: true,
            facts: &[("pages", "240")],
            use_for: "travel diaries, daily journaling and creative writing",
            detail: "Removable paper inserts mean the cover lasts for years, and a wrap-around tie keeps loose notes safely inside.",
            ..BASE
        },
    ],
};

#[rustfmt::skip]
const BOOK_FORMATS: &[(&str, (i64, i64))] = &[("Paperback", (899, 1999)), ("Hardcover", (1999, 4999))];
#[rustfmt::skip]
const PICTURE_BOOK_FORMATS: &[(&str, (i64, i64))] = &[("Paperback", (899, 1299)), ("Hardcover", (1299, 2499))];
#[rustfmt::skip]
const BOOKSHOPS: &[&str] = &["Dog-Eared Books", "Ink & Quill Stationers"];

#[rustfmt::skip]
pub(super) const FIRST_NAMES: &[&str] = &[
    "Maren", "Elias", "Nadia", "Tomas", "Iris", "Jonah", "Priya", "Felix", "Clara", "Mateo", "Ines", "Rowan",
    "Hana", "Oscar", "Leila", "Silas",
];

#[rustfmt::skip]
pub(super) const LAST_NAMES: &[&str] = &[
    "Holt", "Varga", "Okafor", "Lindqvist", "Marsh", "Castillo", "Brennan", "Ashdown", "Nakamura", "Ferreira",
    "Quinn", "Delacroix", "Abara", "Whitlock", "Sorensen", "Pike",
];

#[rustfmt::skip]
pub(super) const GENRES: &[Genre] = &[
    Genre {
        name: "Mystery",
        label: "an atmospheric mystery novel",
        novel: true,
        titles: &[
            "The Lantern Keeper's Daughter",
            "Murder at Gull Cottage",
            "The Silent Orchard",
            "A Death at Low Tide",
            "The Ninth Key",
            "The Glass Harbour",
        ],
        pitches: &[
            "When a stranger is found dead in a quiet coastal village, a retired detective is drawn into one last case that nobody wants solved.",
            "Twisting, atmospheric and full of small-town secrets, it is a page-turner that keeps you guessing until the final chapter.",
            "Perfect for long train journeys and rainy weekends, with a cast of suspects you will argue about long after the last page.",
        ],
        readers: "crime and thriller fans",
        pages: (288, 416),
        formats: BOOK_FORMATS,
        shops: BOOKSHOPS,
    },
    Genre {
        name: "Science Fiction",
        label: "an ambitious science fiction novel",
        novel: true,
        titles: &[
            "The Last Orbit",
            "Children of the Drift",
            "Signal from Kepler Deep",
            "The Ember Protocol",
            "Salt and Starlight",
            "The Long Quiet",
        ],
        pitches: &[
            "Aboard a generation ship drifting between stars, a young engineer uncovers a secret that could save the crew or end the voyage.",
            "Big ideas about memory, family and artificial intelligence sit alongside breathless action and a heart-breaking love story.",
            "Thoughtful, thrilling and beautifully written, it is space opera for readers who like their science as sharp as their characters.",
        ],
        readers: "science fiction lovers",
        pages: (320, 512),
        formats: BOOK_FORMATS,
        shops: BOOKSHOPS,
    },
    Genre {
        name: "Fantasy",
        label: "a sweeping fantasy novel",
        novel: true,
        titles: &[
            "The Thorn Crown",
            "A Song for the Drowned City",
            "The Cartographer's Dragon",
            "Ashes of the Winter Court",
            "The Hollow Wood",
        ],
        pitches: &[
            "A mapmaker's apprentice discovers that the blank spaces on her maps are blank for a reason, and something there is waking up.",
            "Rich world-building, found family and a slow-burning rivalry make it the unmissable first entry in a new trilogy.",
            "Fans of epic quests, clever magic systems and morally grey heroes will find plenty to love in every chapter.",
        ],
        readers: "fantasy readers",
        pages: (384, 608),
        formats: BOOK_FORMATS,
        shops: BOOKSHOPS,
    },
    Genre {
        name: "Cookbook",
        label: "a generous, beautifully photographed cookbook",
        novel: false,
        titles: &[
            "Salt & Smoke: Fire Cooking for Every Season",
            "The Weeknight Table: 100 Quick Family Dinners",
            "The Sourdough Year",
            "One Pan Suppers",
            "Plant-Based Every Day",
            "Small Kitchen, Big Flavour",
        ],
        pitches: &[
            "More than one hundred tested recipes cover quick weeknight dinners, slow weekend projects and vegetarian feasts for friends.",
            "Clear step-by-step instructions and full-page photographs make it easy for beginners and inspiring for experienced cooks.",
            "Seasonal chapters celebrate fresh produce, and most recipes use ingredients you can find in any supermarket.",
        ],
        readers: "home cooks and food lovers",
        pages: (224, 320),
        formats: BOOK_FORMATS,
        shops: BOOKSHOPS,
    },
    Genre {
        name: "Travel",
        label: "an inspiring travel guide",
        novel: false,
        titles: &[
            "Walking the Coast Path",
            "Hidden Lisbon: A Local's Guide",
            "The Slow Road Through Japan",
            "Wild Swimming in Europe",
            "Mountain Huts of the Alps",
        ],
        pitches: &[
            "Detailed maps, honest recommendations and practical tips help you plan unforgettable trips off the usual tourist trail.",
            "Stunning photography and stories from local guides capture the landscapes, food and culture that make each place special.",
            "Compact enough to carry in a daypack, it covers routes, seasonal advice and where to eat, sleep and swim.",
        ],
        readers: "travellers and armchair explorers",
        pages: (192, 304),
        formats: BOOK_FORMATS,
        shops: BOOKSHOPS,
    },
    Genre {
        name: "Gardening",
        label: "a practical gardening handbook",
        novel: false,
        titles: &["The No-Dig Garden", "Grow Your Own Salad", "Balcony Blooms", "The Year in the Orchard"],
        pitches: &[
            "Month-by-month advice shows exactly what to sow, plant and harvest, whether you have an allotment, a garden or a balcony.",
            "Organic methods, companion planting and simple composting tips help you grow more food with less work.",
            "Friendly, jargon-free and packed with photographs, it turns nervous beginners into confident growers.",
        ],
        readers: "gardeners of every level",
        pages: (176, 288),
        formats: BOOK_FORMATS,
        shops: BOOKSHOPS,
    },
    Genre {
        name: "Children's Picture Book",
        label: "a charming children's picture book",
        novel: false,
        titles: &[
            "Pip and the Moon Balloon",
            "The Bear Who Couldn't Sleep",
            "Otto's Big Red Boat",
            "Where Do Puddles Go?",
            "The Littlest Lighthouse",
        ],
        pitches: &[
            "Bright, joyful illustrations and a gently rhyming story make it a bedtime favourite for children aged three to six.",
            "It is a warm tale about friendship, bravery and trying new things, with little details to spot on every page.",
            "Sturdy pages survive enthusiastic little readers, and the story is just the right length for reading aloud.",
        ],
        readers: "young readers and the grown-ups who read to them",
        pages: (32, 48),
        formats: PICTURE_BOOK_FORMATS,
        shops: &["Little Acorn Toys", "Dog-Eared Books"],
    },
    Genre {
        name: "History",
        label: "a vivid work of popular history",
        novel: false,
        titles: &[
            "The Salt Roads: How a Mineral Made the World",
            "Empires of the Steppe",
            "The Clockmakers: A History of Keeping Time",
            "Rivers of Iron: The Railway Age",
        ],
        pitches: &[
            "Drawing on letters, diaries and new archive research, it brings forgotten people and turning points vividly to life.",
            "Written with the pace of a novel and the rigour of a historian, it makes the distant past feel surprisingly close.",
            "Maps, illustrations and a detailed timeline make it an ideal companion for students and curious readers alike.",
        ],
        readers: "history enthusiasts",
        pages: (320, 480),
        formats: BOOK_FORMATS,
        shops: BOOKSHOPS,
    },
    Genre {
        name: "Wellbeing",
        label: "a warm and practical wellbeing guide",
        novel: false,
        titles: &[
            "The Quiet Hour: Finding Calm in a Busy Life",
            "Small Habits, Big Days",
            "Rest Is Productive",
            "The Walking Cure",
        ],
        pitches: &[
            "Short chapters offer simple, science-backed ideas for sleeping better, worrying less and making time for what matters.",
            "Gentle exercises, journaling prompts and real stories help you build habits that actually stick.",
            "Wise, kind and never preachy, it is the sort of book you will underline and pass on to a friend.",
        ],
        readers: "anyone looking for a calmer, healthier routine",
        pages: (208, 288),
        formats: BOOK_FORMATS,
        shops: BOOKSHOPS,
    },
];
