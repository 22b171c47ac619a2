//! The value tables: names, streets, places, e-mail domains, pets.
//!
//! Lists are ordered most common first where the generator draws them with a Zipf skew
//! (names, streets, pet names), so the head of each list is what a real clinic sees most.
//! Long word lists are whitespace- or line-separated text: easier to read and extend than
//! a thousand quoted literals.

use crate::rng::{Rng, Weighted};

/// Surnames, roughly in US census order (1,000).
pub const LAST_NAMES: &str = "
Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris
Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill
Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips
Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook
Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward
Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez
Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan
Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson
Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera
Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison
Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker
Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason
Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox
Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan
Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos
Hart Bradley Knight Elliott Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews
Alvarado Ray Delgado Berry Perkins Hoffman Johnston Matthews Pena Richards Contreras Willis
Carpenter Lawrence Sandoval Guerrero George Chapman Rios Estrada Ortega Watkins Greene Nunez
Wheeler Valdez Harper Burke Larson Santiago Maldonado Morrison Franklin Carlson Austin
Dominguez Carr Lawson Jacobs O'Brien Lynch Singh Vega Bishop Montgomery Oliver Jensen Harvey
Williamson Gilbert Dean Sims Espinoza Howell Li Wong Reid Hanson Le McCoy Garrett Burton
Fuller Wang Weber Welch Rojas Lucas Marquez Fields Park Yang Little Banks Padilla Day Walsh
Bowman Schultz Luna Fowler Mejia Davidson Acosta Brewer May Holland Juarez Newman Pearson
Curtis Cortez Douglas Schneider Joseph Barrett Navarro Figueroa Keller Avila Wade Molina
Stanley Hopkins Campos Barnett Bates Chambers Caldwell Beck Lambert Miranda Byrd Craig Ayala
Lowe Frazier Powers Neal Leonard Gregory Carrillo Sutton Fleming Rhodes Shelton Schwartz
Norris Jennings Watts Duran Walters Cohen McDaniel Moran Parks Steele Vaughn Becker Holt
Deleon Barker Terry Hale Leon Hail Benson Haynes Horton Miles Lyons Pham Graves Bush
Thornton Wolfe Warner Cabrera McKinney Mann Zimmerman Dawson Lara Fletcher Page McCarthy
Love Robles Cervantes Solis Erickson Reeves Chang Klein Salinas Fuentes Baldwin Daniel Simon
Velasquez Hardy Higgins Aguirre Lin Cummings Chandler Sharp Barber Bowen Ochoa Dennis
Robbins Liu Ramsey Francis Griffith Paul Blair O'Connor Cardenas Pacheco Cross Calderon
Quinn Moss Swanson Chan Rivas Khan Rodgers Serrano Fitzgerald Rosales Stevenson Christensen
Manning Gill Curry McLaughlin Harmon McGee Gross Doyle Garner Newton Burgess Reese Walton
Blake Trujillo Adkins Brady Goodman Roman Webster Goodwin Fischer Huang Potter Delacruz
Montoya Todd Wu Hines Mullins Castaneda Malone Cannon Tate Mack Sherman Hubbard Hodges Zhang
Guerra Wolf Valencia Saunders Franco Rowe Gallagher Farmer Hammond Hampton Townsend Ingram
Wise Gallegos Clarke Barton Schroeder Maxwell Waters Logan Camacho Strickland Norman Person
Colon Parsons Frank Harrington Glover Osborne Buchanan Casey Floyd Patton Ibarra Ball Tyler
Suarez Bowers Orozco Salas Cobb Gibbs Andrade Bauer Conner Moody Escobar McGuire Lloyd
Mueller Hartman French Kramer McBride Pope Lindsey Velazquez Norton McCormick Sparks Flynn
Yates Hogan Marsh Macias Villanueva Zamora Pratt Stokes Owen Ballard Lang Brock Villarreal
Charles Drake Barrera Cain Patrick Pineda Burnett Mercado Santana Shepherd Bautista Ali
Shaffer Lamb Trevino McKenzie Hess Dale Olsen Cochran Morton Nash Wilkins Petersen Briggs
Shah Roth Nicholson Holloway Lozano Rangel Flowers Hoover Short Arias Mora Valenzuela Bryan
Meyers Weiss Underwood Bass Greer Summers Houston Carson Morrow Clayton Whitaker Decker
Yoder Collier Zuniga Carey Wilcox Melendez Poole Roberson Larsen Conley Davenport Copeland
Massey Lam Huff Rocha Cameron Jefferson Hood Monroe Anthony Pittman Huynh Randall Singleton
Kirk Combs Mathis Christian Skinner Bradford Richard Galvan Wall Boone Kirby Wilkinson
Bridges Bruce Atkinson Velez Meza Roy Vincent York Hodge Villa Abbott Allison Tapia Gates
Chase Sosa Sweeney Farrell Wyatt Dalton Horn Barron Phelps Yu Dickerson Heath Foley Atkins
Mathews Bonilla Acevedo Benitez Zavala Hensley Glenn Cisneros Harrell Shields Rubio Huffman
Choi Boyer Garrison Arroyo Bond Kane Hancock Callahan Dillon Cline Wiggins Grimes Arellano
Melton O'Neill Savage Ho Beltran Pitts Parrish Ponce Rich Booth Koch Golden Ware Brennan
McDowell Marks Cantu Humphrey Baxter Sawyer Clay Tanner Hutchinson Kaur Berg Wiley Gilmore
Russo Villegas Hobbs Keith Wilkerson Ahmed Beard McClain Montes Mata Rosario Vang Walter
Henson O'Neal Mosley McClure Beasley Stephenson Snow Huerta Preston Vance Barry Johns Eaton
Blackwell Dyer Prince Macdonald Solomon Guevara Stafford English Hurst Woodard Cortes
Shannon Kemp Nolan McCullough Merritt Murillo Moon Salgado Strong Kline Cordova Barajas
Roach Rosas Winters Jacobson Lester Knox Bullock Kerr Leach Meadows Orr Davila Whitehead
Pruitt Kent Conway McKee Barr David Dejesus Marin Berger McIntyre Blankenship Gaines
Palacios Cuevas Bartlett Durham Dorsey McCall O'Donnell Stein Browning Stout Lowery Sloan
McLean Hendricks Calhoun Sexton Chung Gentry Hull Duarte Ellison Nielsen Gillespie Buck
Middleton Sellers Leblanc Esparza Hardin Bradshaw McIntosh Howe Livingston Frost Glass Morse
Knapp Herman Stark Bravo Noble Spears Weeks Corona Frederick Buckley McFarland Hebert
Enriquez Hickman Quintero Randolph Schaefer Walls Trejo House Reilly Pennington Michael
Conrad Giles Benjamin Crosby Fitzpatrick Donovan Mays Mahoney Valentine Raymond Medrano Hahn
McMillan Small Bentley Felix Peck Lucero Boyle Hanna Pace Rush Hurley Harding McConnell
Bernal Nava Ayers Everett Ventura Avery Pugh Mayer Bender Shepard McMahon Landry Case
Sampson Moses Magana Blackburn Dunlap Gould Duffy Vaughan Herring McKay Espinosa Rivers
Farley Bernard Ashley Friedman Potts Truong Costa Correa Blevins Nixon Clements Fry Delarosa
Best Benton Lugo Portillo Dougherty Crane Haley Phan Villalobos Blanchard Horne Finley
Quintana Lynn Esquivel Bean Dodson Mullen Xiong Hayden Cano Levy Huber Richmond Moyer Lim
Frye Sheppard McCarty Avalos Booker Waller Parra Woodward Jaramillo Krueger Rasmussen Brandt
Peralta Donaldson Stuart Faulkner Maynard Galindo Coffey Estes Sanford Burch Maddox Vo
O'Connell Vu Andersen Spence McPherson Church Schmitt Stanton Leal Cherry Compton Dudley
Sierra Pollard Alfaro Hester Proctor Lu Hinton Novak Good Madden McCann Terrell Jarvis
Dickson Reyna Cantrell Mayo Branch Hendrix Rollins Rowland Whitney Duke Odom Daugherty
Travis Tang Archer
";

/// Men's given names, roughly by frequency among adults.
pub const MALE_FIRST_NAMES: &str = "
James Michael Robert John David William Richard Joseph Thomas Christopher Charles Daniel
Matthew Anthony Mark Donald Steven Andrew Paul Joshua Kenneth Kevin Brian Timothy Ronald
George Jason Edward Jeffrey Ryan Jacob Nicholas Gary Eric Jonathan Stephen Larry Justin
Scott Brandon Benjamin Samuel Gregory Alexander Patrick Frank Raymond Jack Dennis Jerry
Tyler Aaron Jose Adam Nathan Henry Zachary Douglas Peter Kyle Noah Ethan Jeremy Christian
Walter Keith Austin Roger Terry Sean Gerald Carl Dylan Harold Jordan Jesse Bryan Lawrence
Arthur Gabriel Bruce Logan Billy Joe Alan Juan Elijah Willie Albert Wayne Randy Mason
Vincent Liam Roy Bobby Caleb Bradley Russell Lucas Philip Eugene Louis Johnny Luis Carlos
Howard Martin Craig Ralph Shawn Travis Jimmy Victor Phillip Fred Todd Leonard Ernest Chad
Stanley Derek Dale Joel Antonio Cody Allen Curtis Marcus Evan Luke Jared Oliver Isaac Owen
Hunter Connor Theodore Frederick Clarence Glenn Miguel Jay Troy Mitchell Francis Marvin
Manuel Wyatt Leo Jackson Aiden Grayson Hudson Carter Landon Chase Blake Cole Levi Julian
Nathaniel Jonah Ian Colin Spencer Dominic Gavin Trevor Garrett
";

/// Women's given names, roughly by frequency among adults.
pub const FEMALE_FIRST_NAMES: &str = "
Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty
Sandra Margaret Ashley Kimberly Emily Donna Michelle Carol Amanda Melissa Deborah Stephanie
Dorothy Rebecca Sharon Laura Cynthia Amy Kathleen Angela Shirley Brenda Emma Anna Pamela
Nicole Samantha Katherine Christine Helen Debra Rachel Carolyn Janet Maria Catherine Heather
Diane Olivia Julie Joyce Victoria Ruth Virginia Lauren Kelly Christina Joan Evelyn Judith
Andrea Hannah Megan Cheryl Jacqueline Martha Madison Teresa Gloria Sara Janice Ann Kathryn
Abigail Sophia Frances Jean Alice Judy Isabella Julia Grace Amber Denise Danielle Marilyn
Beverly Charlotte Natalie Theresa Diana Brittany Doris Kayla Alexis Lori Marie Tiffany Kathy
Tammy Crystal Lillian Chloe Ava Mia Harper Ella Avery Scarlett Aria Layla Zoe Nora Lily
Hailey Leah Audrey Claire Stella Lucy Paisley Savannah Brooklyn Bella Naomi Caroline Kennedy
Allison Gabriella Alexandra Jasmine Vanessa Erin Holly Monica Tracy Wendy Dawn Rose Peggy
Connie Sylvia Gail Rita Carmen Valerie Tina Kristen Renee Courtney Morgan Sydney Destiny
Melanie Whitney Erica Molly
";

/// Formal given names and what clinics see typed instead (Bill for William).
pub const NICKNAMES: &[(&str, &[&str])] = &[
    ("William", &["Bill", "Will", "Billy"]),
    ("Robert", &["Bob", "Rob", "Bobby"]),
    ("Richard", &["Rick", "Dick", "Rich"]),
    ("James", &["Jim", "Jimmy", "Jamie"]),
    ("John", &["Jack", "Johnny"]),
    ("Michael", &["Mike", "Mick"]),
    ("Thomas", &["Tom", "Tommy"]),
    ("Joseph", &["Joe", "Joey"]),
    ("Charles", &["Charlie", "Chuck"]),
    ("Christopher", &["Chris"]),
    ("Daniel", &["Dan", "Danny"]),
    ("Matthew", &["Matt"]),
    ("Anthony", &["Tony"]),
    ("Steven", &["Steve"]),
    ("Stephen", &["Steve"]),
    ("Andrew", &["Andy", "Drew"]),
    ("Joshua", &["Josh"]),
    ("Kenneth", &["Ken", "Kenny"]),
    ("Edward", &["Ed", "Eddie", "Ted"]),
    ("Jeffrey", &["Jeff"]),
    ("Nicholas", &["Nick"]),
    ("Jonathan", &["Jon"]),
    ("Timothy", &["Tim"]),
    ("Gregory", &["Greg"]),
    ("Patrick", &["Pat"]),
    ("Samuel", &["Sam"]),
    ("Benjamin", &["Ben"]),
    ("Alexander", &["Alex"]),
    ("Zachary", &["Zach"]),
    ("Nathaniel", &["Nate"]),
    ("Nathan", &["Nate"]),
    ("Theodore", &["Ted", "Teddy"]),
    ("Frederick", &["Fred"]),
    ("Lawrence", &["Larry"]),
    ("Gerald", &["Jerry"]),
    ("Raymond", &["Ray"]),
    ("Donald", &["Don"]),
    ("Ronald", &["Ron"]),
    ("Douglas", &["Doug"]),
    ("Peter", &["Pete"]),
    ("Jacob", &["Jake"]),
    ("Phillip", &["Phil"]),
    ("Philip", &["Phil"]),
    ("Harold", &["Harry"]),
    ("Henry", &["Hank"]),
    ("Albert", &["Al"]),
    ("Eugene", &["Gene"]),
    ("Vincent", &["Vince"]),
    ("Leonard", &["Len", "Lenny"]),
    ("Frank", &["Frankie"]),
    ("Elizabeth", &["Liz", "Beth", "Betty", "Lizzie"]),
    ("Margaret", &["Peggy", "Maggie", "Meg"]),
    ("Katherine", &["Kate", "Kathy", "Katie"]),
    ("Catherine", &["Cathy", "Cat"]),
    ("Kathleen", &["Kathy"]),
    ("Jennifer", &["Jen", "Jenny"]),
    ("Patricia", &["Pat", "Patty", "Trish"]),
    ("Susan", &["Sue", "Susie"]),
    ("Deborah", &["Deb", "Debbie"]),
    ("Debra", &["Deb", "Debbie"]),
    ("Rebecca", &["Becky", "Becca"]),
    ("Samantha", &["Sam"]),
    ("Jessica", &["Jess"]),
    ("Victoria", &["Vicky", "Tori"]),
    ("Christina", &["Tina", "Chris"]),
    ("Christine", &["Chris"]),
    ("Kimberly", &["Kim"]),
    ("Cynthia", &["Cindy"]),
    ("Pamela", &["Pam"]),
    ("Barbara", &["Barb"]),
    ("Dorothy", &["Dot", "Dottie"]),
    ("Abigail", &["Abby"]),
    ("Stephanie", &["Steph"]),
    ("Alexandra", &["Alex", "Sandy"]),
    ("Amanda", &["Mandy"]),
    ("Natalie", &["Nat"]),
    ("Madison", &["Maddie"]),
    ("Olivia", &["Liv"]),
    ("Sophia", &["Sophie"]),
    ("Isabella", &["Bella"]),
    ("Gabriella", &["Gabby"]),
    ("Jacqueline", &["Jackie"]),
    ("Theresa", &["Terri"]),
    ("Teresa", &["Terri"]),
    ("Judith", &["Judy"]),
    ("Valerie", &["Val"]),
    ("Andrea", &["Andie"]),
];

/// Street names without their type, most common first. Compounds (Oakwood, Cedar Ridge)
/// and numbered streets are added by `streets()`.
pub const STREET_NAMES: &str = "
Main, Oak, Pine, Maple, Cedar, Elm, Washington, Lake, Hill, Park
Walnut, Lincoln, Jefferson, Madison, Adams, Jackson, Franklin, Church, Center, Spring
Mill, River, Highland, Sunset, Ridge, Forest, Meadow, Valley, Chestnut, Willow
Birch, Spruce, Hickory, Poplar, Sycamore, Magnolia, Dogwood, Holly, Laurel, Aspen
Cherry, Peach, Orchard, Prospect, Pleasant, Union, Liberty, Market, Broad, High
School, College, Academy, Railroad, Depot, Bridge, Water, Front, Bay, Harbor
Ocean, Beach, Shore, Canyon, Mesa, Desert, Prairie, Garden, Grove, Fairview
Lakeview, Riverside, Hillcrest, Woodland, Kingston, Cambridge, Oxford, Windsor, Victoria, Monroe
Grant, Wilson, Harrison, Hamilton, Cleveland, Taylor, Polk, Pierce, Hayes, Garfield
Roosevelt, Kennedy, Johnson, Carter, Clinton, Fillmore, Tyler, Van Buren, Buchanan, Coolidge
Hoover, Truman, Eisenhower, Martin Luther King Jr, Cesar Chavez, Green, Brown, White, Colonial, Heritage
Country Club, Old Mill, Quail, Deer, Fox, Eagle, Hawk, Robin, Cardinal, Bluebird
Sparrow, Dove, Heron, Pheasant, Turkey Creek, Buffalo, Bear Creek, Wolf, Elk, Bent Tree
Stonegate, Briarwood, Brookside, Creekside, Pinehurst, Augusta, Sherwood, Northgate, Southgate, Westgate
Eastgate, North, South, East, West, Central, Commerce, Industrial, Airport, Mission
Santa Fe, El Camino, Alamo, Rio Grande, Sierra Vista, Monterey, Sonoma, Cypress, Palm, Palmetto
Juniper, Mulberry, Hazel, Ivy, Rose, Lilac, Daisy, Tulip, Violet, Clover
Heather, Primrose, Sassafras, Locust, Redbud, Hemlock, Tamarack, Larch, Alder, Beech
Linden, Cottonwood, Mesquite, Sage, Yucca, Pecan, Almond, Olive, Lemon, Orange
Apple, Plum, Pear, Grape, Vine, Berry, Strawberry, Blueberry, Raspberry, Jasmine
Lavender, Iris, Orchid, Poppy, Aster, Marigold, Sunflower, Meadowlark, Oriole, Finch
Wren, Swallow, Falcon, Osprey, Raven, Crane, Pelican, Gull, Lark, Summit
Crest, Plateau, Bluff, Knoll, Glen, Dale, Hollow, Heights, Chapel, Abbey
Cathedral, Temple, Mission Hills, Manor, Castle, Court House, Pike, Boston Post, Dixie, Mount Vernon
Monticello, Lexington, Concord, Bunker Hill, Yorktown, Valley Forge, Gettysburg, Shiloh, Appomattox, Independence
Constitution, Freedom, Patriot, Pioneer, Frontier, Settlers, Homestead, Ranch, Farm, Barn
Silo, Harvest, Wheat, Corn, Cotton, Tobacco, Plantation, Mill Pond, Fish Hatchery, Old Orchard
Meridian, Horizon, Skyline, Starlight, Moonlight, Sunrise, Daybreak, Twilight, Evening Star, Aurora
Comet, Galaxy, Jupiter, Saturn, Mercury, Apollo, Atlas, Phoenix, Orion, Elizabeth
Mary Anne, Catherine, Margaret, Charlotte, Caroline, Louisa, Josephine, Florence, Albert, Edward
George, Henry, William, Charles, Frederick, Arthur, Howard, Walter, Old Post, Ferry
";

/// First halves of compound street names (Oak + wood = Oakwood).
pub const STREET_ROOTS: &str = "
Oak Maple Pine Cedar Elm Birch Willow Ash Spruce Hickory Walnut Cherry Laurel Holly Aspen Beech
Cypress Fern Briar Rose Stone Brook Fair Glen Green Spring Sun Wood Lake River Hill Deer Fox
Shadow Silver Golden Meadow Autumn Winter Summer
";

/// Second halves of compound street names.
pub const STREET_SUFFIXES: &[&str] = &[
    "wood", "view", "ridge", "crest", "field", "brook", "dale", "mont", "hurst", "haven", "shire",
    "ford",
];

/// Street types: the abbreviation clinics mostly type, the full word, and how common it is.
pub const STREET_TYPES: &[(&str, &str, f64)] = &[
    ("St", "Street", 30.0),
    ("Ave", "Avenue", 20.0),
    ("Rd", "Road", 15.0),
    ("Dr", "Drive", 15.0),
    ("Ln", "Lane", 8.0),
    ("Ct", "Court", 6.0),
    ("Blvd", "Boulevard", 3.0),
    ("Pl", "Place", 2.0),
    ("Cir", "Circle", 2.0),
    ("Way", "Way", 2.0),
    ("Pkwy", "Parkway", 1.0),
    ("Ter", "Terrace", 1.0),
];

/// City, state, a ZIP code of that city, and its telephone area code.
pub const CITIES: &str = "
Birmingham, AL, 35203, 205
Montgomery, AL, 36104, 334
Huntsville, AL, 35801, 256
Mobile, AL, 36602, 251
Tuscaloosa, AL, 35401, 205
Anchorage, AK, 99501, 907
Fairbanks, AK, 99701, 907
Phoenix, AZ, 85004, 602
Tucson, AZ, 85701, 520
Mesa, AZ, 85201, 480
Chandler, AZ, 85225, 480
Scottsdale, AZ, 85251, 480
Flagstaff, AZ, 86001, 928
Tempe, AZ, 85281, 480
Glendale, AZ, 85301, 623
Little Rock, AR, 72201, 501
Fayetteville, AR, 72701, 479
Fort Smith, AR, 72901, 479
Jonesboro, AR, 72401, 870
Los Angeles, CA, 90012, 213
San Diego, CA, 92101, 619
San Jose, CA, 95113, 408
San Francisco, CA, 94102, 415
Fresno, CA, 93721, 559
Sacramento, CA, 95814, 916
Long Beach, CA, 90802, 562
Oakland, CA, 94612, 510
Bakersfield, CA, 93301, 661
Anaheim, CA, 92805, 714
Riverside, CA, 92501, 951
Santa Ana, CA, 92701, 714
Irvine, CA, 92614, 949
Stockton, CA, 95202, 209
Modesto, CA, 95354, 209
Pasadena, CA, 91101, 626
Santa Rosa, CA, 95404, 707
Redding, CA, 96001, 530
Chico, CA, 95928, 530
San Luis Obispo, CA, 93401, 805
Santa Barbara, CA, 93101, 805
Denver, CO, 80202, 303
Colorado Springs, CO, 80903, 719
Aurora, CO, 80012, 303
Fort Collins, CO, 80521, 970
Boulder, CO, 80302, 303
Pueblo, CO, 81003, 719
Grand Junction, CO, 81501, 970
Hartford, CT, 06103, 860
New Haven, CT, 06510, 203
Stamford, CT, 06901, 203
Bridgeport, CT, 06604, 203
Waterbury, CT, 06702, 203
Wilmington, DE, 19801, 302
Dover, DE, 19901, 302
Washington, DC, 20001, 202
Jacksonville, FL, 32202, 904
Miami, FL, 33130, 305
Tampa, FL, 33602, 813
Orlando, FL, 32801, 407
St. Petersburg, FL, 33701, 727
Tallahassee, FL, 32301, 850
Gainesville, FL, 32601, 352
Fort Lauderdale, FL, 33301, 954
Pensacola, FL, 32502, 850
Sarasota, FL, 34236, 941
Naples, FL, 34102, 239
Fort Myers, FL, 33901, 239
West Palm Beach, FL, 33401, 561
Ocala, FL, 34471, 352
Lakeland, FL, 33801, 863
Daytona Beach, FL, 32114, 386
Atlanta, GA, 30303, 404
Savannah, GA, 31401, 912
Augusta, GA, 30901, 706
Columbus, GA, 31901, 706
Macon, GA, 31201, 478
Athens, GA, 30601, 706
Marietta, GA, 30060, 770
Honolulu, HI, 96813, 808
Hilo, HI, 96720, 808
Boise, ID, 83702, 208
Idaho Falls, ID, 83402, 208
Pocatello, ID, 83201, 208
Coeur d'Alene, ID, 83814, 208
Chicago, IL, 60601, 312
Springfield, IL, 62701, 217
Peoria, IL, 61602, 309
Rockford, IL, 61101, 815
Naperville, IL, 60540, 630
Champaign, IL, 61820, 217
Urbana, IL, 61801, 217
Decatur, IL, 62523, 217
Bloomington, IL, 61701, 309
Joliet, IL, 60432, 815
Aurora, IL, 60505, 630
Evanston, IL, 60201, 847
Elgin, IL, 60120, 847
Carbondale, IL, 62901, 618
Indianapolis, IN, 46204, 317
Fort Wayne, IN, 46802, 260
Evansville, IN, 47708, 812
South Bend, IN, 46601, 574
Bloomington, IN, 47401, 812
Lafayette, IN, 47901, 765
Muncie, IN, 47305, 765
Des Moines, IA, 50309, 515
Cedar Rapids, IA, 52401, 319
Davenport, IA, 52801, 563
Iowa City, IA, 52240, 319
Sioux City, IA, 51101, 712
Ames, IA, 50010, 515
Wichita, KS, 67202, 316
Topeka, KS, 66603, 785
Overland Park, KS, 66204, 913
Lawrence, KS, 66044, 785
Manhattan, KS, 66502, 785
Louisville, KY, 40202, 502
Lexington, KY, 40507, 859
Bowling Green, KY, 42101, 270
Frankfort, KY, 40601, 502
Owensboro, KY, 42301, 270
New Orleans, LA, 70112, 504
Baton Rouge, LA, 70801, 225
Shreveport, LA, 71101, 318
Lafayette, LA, 70501, 337
Lake Charles, LA, 70601, 337
Portland, ME, 04101, 207
Bangor, ME, 04401, 207
Augusta, ME, 04330, 207
Baltimore, MD, 21202, 410
Annapolis, MD, 21401, 410
Frederick, MD, 21701, 301
Rockville, MD, 20850, 301
Hagerstown, MD, 21740, 301
Boston, MA, 02108, 617
Worcester, MA, 01608, 508
Springfield, MA, 01103, 413
Cambridge, MA, 02139, 617
Lowell, MA, 01852, 978
Plymouth, MA, 02360, 508
Detroit, MI, 48226, 313
Grand Rapids, MI, 49503, 616
Lansing, MI, 48933, 517
Ann Arbor, MI, 48104, 734
Kalamazoo, MI, 49007, 269
Flint, MI, 48502, 810
Traverse City, MI, 49684, 231
Marquette, MI, 49855, 906
Minneapolis, MN, 55401, 612
Saint Paul, MN, 55102, 651
Rochester, MN, 55901, 507
Duluth, MN, 55802, 218
Bloomington, MN, 55420, 952
St. Cloud, MN, 56301, 320
Jackson, MS, 39201, 601
Gulfport, MS, 39501, 228
Hattiesburg, MS, 39401, 601
Tupelo, MS, 38804, 662
Kansas City, MO, 64106, 816
St. Louis, MO, 63101, 314
Springfield, MO, 65806, 417
Columbia, MO, 65201, 573
Jefferson City, MO, 65101, 573
Joplin, MO, 64801, 417
Billings, MT, 59101, 406
Missoula, MT, 59802, 406
Bozeman, MT, 59715, 406
Helena, MT, 59601, 406
Great Falls, MT, 59401, 406
Omaha, NE, 68102, 402
Lincoln, NE, 68508, 402
Grand Island, NE, 68801, 308
Kearney, NE, 68847, 308
Las Vegas, NV, 89101, 702
Reno, NV, 89501, 775
Henderson, NV, 89002, 702
Carson City, NV, 89701, 775
Manchester, NH, 03101, 603
Nashua, NH, 03060, 603
Concord, NH, 03301, 603
Portsmouth, NH, 03801, 603
Newark, NJ, 07102, 973
Jersey City, NJ, 07302, 201
Trenton, NJ, 08608, 609
Princeton, NJ, 08540, 609
Camden, NJ, 08102, 856
Paterson, NJ, 07505, 973
Toms River, NJ, 08753, 732
Edison, NJ, 08817, 732
Albuquerque, NM, 87102, 505
Santa Fe, NM, 87501, 505
Las Cruces, NM, 88001, 575
Roswell, NM, 88201, 575
New York, NY, 10001, 212
Brooklyn, NY, 11201, 718
Buffalo, NY, 14202, 716
Rochester, NY, 14604, 585
Syracuse, NY, 13202, 315
Albany, NY, 12207, 518
Yonkers, NY, 10701, 914
Ithaca, NY, 14850, 607
Binghamton, NY, 13901, 607
White Plains, NY, 10601, 914
Utica, NY, 13501, 315
Poughkeepsie, NY, 12601, 845
Hempstead, NY, 11550, 516
Saratoga Springs, NY, 12866, 518
Charlotte, NC, 28202, 704
Raleigh, NC, 27601, 919
Greensboro, NC, 27401, 336
Durham, NC, 27701, 919
Winston-Salem, NC, 27101, 336
Asheville, NC, 28801, 828
Wilmington, NC, 28401, 910
Fayetteville, NC, 28301, 910
Chapel Hill, NC, 27514, 919
Cary, NC, 27511, 919
Boone, NC, 28607, 828
Fargo, ND, 58102, 701
Bismarck, ND, 58501, 701
Grand Forks, ND, 58201, 701
Minot, ND, 58701, 701
Columbus, OH, 43215, 614
Cleveland, OH, 44113, 216
Cincinnati, OH, 45202, 513
Toledo, OH, 43604, 419
Akron, OH, 44308, 330
Dayton, OH, 45402, 937
Youngstown, OH, 44503, 330
Canton, OH, 44702, 330
Athens, OH, 45701, 740
Sandusky, OH, 44870, 419
Oklahoma City, OK, 73102, 405
Tulsa, OK, 74103, 918
Norman, OK, 73069, 405
Stillwater, OK, 74074, 405
Lawton, OK, 73501, 580
Portland, OR, 97204, 503
Salem, OR, 97301, 503
Eugene, OR, 97401, 541
Bend, OR, 97701, 541
Medford, OR, 97501, 541
Corvallis, OR, 97330, 541
Philadelphia, PA, 19103, 215
Pittsburgh, PA, 15222, 412
Allentown, PA, 18101, 610
Erie, PA, 16501, 814
Harrisburg, PA, 17101, 717
Lancaster, PA, 17602, 717
Scranton, PA, 18503, 570
State College, PA, 16801, 814
Reading, PA, 19601, 610
York, PA, 17401, 717
Bethlehem, PA, 18015, 610
Providence, RI, 02903, 401
Warwick, RI, 02886, 401
Newport, RI, 02840, 401
Columbia, SC, 29201, 803
Charleston, SC, 29401, 843
Greenville, SC, 29601, 864
Myrtle Beach, SC, 29577, 843
Spartanburg, SC, 29301, 864
Rock Hill, SC, 29730, 803
Sioux Falls, SD, 57104, 605
Rapid City, SD, 57701, 605
Aberdeen, SD, 57401, 605
Nashville, TN, 37203, 615
Memphis, TN, 38103, 901
Knoxville, TN, 37902, 865
Chattanooga, TN, 37402, 423
Clarksville, TN, 37040, 931
Murfreesboro, TN, 37130, 615
Johnson City, TN, 37601, 423
Jackson, TN, 38301, 731
Franklin, TN, 37064, 615
Houston, TX, 77002, 713
San Antonio, TX, 78205, 210
Dallas, TX, 75201, 214
Austin, TX, 78701, 512
Fort Worth, TX, 76102, 817
El Paso, TX, 79901, 915
Arlington, TX, 76010, 817
Corpus Christi, TX, 78401, 361
Plano, TX, 75074, 972
Lubbock, TX, 79401, 806
Laredo, TX, 78040, 956
Irving, TX, 75061, 972
Amarillo, TX, 79101, 806
Waco, TX, 76701, 254
Tyler, TX, 75701, 903
College Station, TX, 77840, 979
Abilene, TX, 79601, 325
Beaumont, TX, 77701, 409
Midland, TX, 79701, 432
Odessa, TX, 79761, 432
McAllen, TX, 78501, 956
Denton, TX, 76201, 940
Round Rock, TX, 78664, 512
Frisco, TX, 75034, 972
San Marcos, TX, 78666, 512
Killeen, TX, 76541, 254
Brownsville, TX, 78520, 956
Galveston, TX, 77550, 409
Sugar Land, TX, 77478, 281
The Woodlands, TX, 77380, 281
Salt Lake City, UT, 84101, 801
Provo, UT, 84601, 801
Ogden, UT, 84401, 801
St. George, UT, 84770, 435
Logan, UT, 84321, 435
Burlington, VT, 05401, 802
Montpelier, VT, 05602, 802
Rutland, VT, 05701, 802
Virginia Beach, VA, 23451, 757
Norfolk, VA, 23510, 757
Richmond, VA, 23219, 804
Arlington, VA, 22201, 703
Alexandria, VA, 22314, 703
Roanoke, VA, 24011, 540
Charlottesville, VA, 22902, 434
Lynchburg, VA, 24504, 434
Chesapeake, VA, 23320, 757
Fredericksburg, VA, 22401, 540
Harrisonburg, VA, 22801, 540
Seattle, WA, 98101, 206
Spokane, WA, 99201, 509
Tacoma, WA, 98402, 253
Vancouver, WA, 98660, 360
Bellevue, WA, 98004, 425
Olympia, WA, 98501, 360
Yakima, WA, 98901, 509
Bellingham, WA, 98225, 360
Everett, WA, 98201, 425
Charleston, WV, 25301, 304
Huntington, WV, 25701, 304
Morgantown, WV, 26501, 304
Wheeling, WV, 26003, 304
Milwaukee, WI, 53202, 414
Madison, WI, 53703, 608
Green Bay, WI, 54301, 920
Kenosha, WI, 53140, 262
Appleton, WI, 54911, 920
Eau Claire, WI, 54701, 715
La Crosse, WI, 54601, 608
Oshkosh, WI, 54901, 920
Cheyenne, WY, 82001, 307
Casper, WY, 82601, 307
Laramie, WY, 82070, 307
Jackson, WY, 83001, 307
";

/// E-mail domains of US pet owners and how common each is.
pub const EMAIL_DOMAINS: &[(&str, f64)] = &[
    ("gmail.com", 38.0),
    ("yahoo.com", 14.0),
    ("hotmail.com", 8.0),
    ("outlook.com", 6.0),
    ("icloud.com", 6.0),
    ("aol.com", 4.0),
    ("comcast.net", 3.0),
    ("att.net", 2.0),
    ("sbcglobal.net", 2.0),
    ("verizon.net", 2.0),
    ("msn.com", 1.5),
    ("live.com", 1.5),
    ("me.com", 1.0),
    ("ymail.com", 1.0),
    ("charter.net", 1.0),
    ("cox.net", 1.0),
    ("bellsouth.net", 1.0),
    ("mac.com", 0.5),
    ("mail.com", 0.5),
    ("protonmail.com", 0.5),
    ("earthlink.net", 0.5),
    ("frontier.com", 0.5),
    ("optonline.net", 0.5),
    ("roadrunner.com", 0.5),
    ("rocketmail.com", 0.3),
    ("windstream.net", 0.3),
    ("centurylink.net", 0.3),
    ("juno.com", 0.3),
    ("netzero.net", 0.2),
    ("q.com", 0.2),
];

/// Pet names, most common first.
pub const PET_NAMES: &str = "
Bella Max Luna Charlie Lucy Cooper Daisy Bailey Milo Buddy Rocky Sadie Molly Lola Bear Tucker
Duke Stella Zoey Oliver Leo Jack Toby Chloe Penny Coco Winston Bentley Maggie Sophie Riley Zeus
Nala Gracie Lily Rosie Ruby Harley Murphy Jax Louie Roxy Teddy Ellie Bruno Loki Oscar Simba
Kitty Tiger Smokey Shadow Gizmo Oreo Pepper Ginger Cleo Misty Boots Mittens Felix Jasper Sam
Sammy Abby Annie Baxter Beau Benji Biscuit Blue Boomer Brody Buster Cali Callie Chester
Cinnamon Cookie Dexter Diesel Dixie Ella Finn Frankie George Gus Hank Hazel Honey Izzy Jake
Jasmine Kobe Lady Lexi Lilly Lucky Lulu Mia Mocha Moose Nova Olive Ozzy Peanut Piper Princess
Rex Rusty Sasha Scout Shelby Sparky Sugar Thor Trixie Willow Ziggy Zoe Mango Kiwi Sunny Peaches
Thumper Snowball Hopper Pickles Nugget Pumpkin Sushi Tank Archie Koda Remi Maple Marley Otis
Apollo Athena Juniper Waffles Pretzel Bandit Rascal Sox Bubba Cash Hunter Ranger Storm Angel
Pebbles Tweety Rocco Sammie Dakota Chico Oakley
";

/// A species: how exports spell it, how common it is, its desexing rate and its breeds
/// as (breed, weight, lightest kg, heaviest kg).
pub struct Species {
    /// The spellings seen for it (a migrated database mixes Dog with Canine).
    pub labels: &'static [&'static str],
    /// Relative frequency among patients.
    pub weight: f64,
    /// Share desexed.
    pub desexed: f64,
    /// Breeds with relative frequency and body-weight range in kg.
    pub breeds: &'static [(&'static str, f64, f64, f64)],
}

/// The species a small-animal clinic sees.
pub const SPECIES: &[Species] = &[
    Species {
        labels: &["Dog", "Dog", "Dog", "Canine"],
        weight: 55.0,
        desexed: 0.72,
        breeds: &[
            ("Mixed Breed", 14.0, 5.0, 35.0),
            ("Labrador Retriever", 10.0, 25.0, 36.0),
            ("Golden Retriever", 6.0, 25.0, 34.0),
            ("German Shepherd", 5.0, 22.0, 40.0),
            ("French Bulldog", 5.0, 8.0, 14.0),
            ("Pit Bull Terrier", 4.0, 14.0, 30.0),
            ("Chihuahua", 4.0, 1.5, 3.0),
            ("Bulldog", 3.0, 18.0, 25.0),
            ("Poodle", 3.0, 3.0, 30.0),
            ("Beagle", 3.0, 9.0, 14.0),
            ("Dachshund", 3.0, 4.0, 14.0),
            ("Yorkshire Terrier", 3.0, 2.0, 4.0),
            ("Shih Tzu", 3.0, 4.0, 7.5),
            ("Goldendoodle", 3.0, 15.0, 35.0),
            ("Rottweiler", 2.0, 35.0, 60.0),
            ("German Shorthaired Pointer", 2.0, 20.0, 32.0),
            ("Pembroke Welsh Corgi", 2.0, 10.0, 14.0),
            ("Australian Shepherd", 2.0, 16.0, 32.0),
            ("Boxer", 2.0, 25.0, 32.0),
            ("Cavalier King Charles Spaniel", 2.0, 5.0, 8.0),
            ("Miniature Schnauzer", 2.0, 5.0, 9.0),
            ("Siberian Husky", 2.0, 16.0, 27.0),
            ("Pomeranian", 2.0, 1.5, 3.5),
            ("Pug", 2.0, 6.0, 9.0),
            ("Labradoodle", 2.0, 14.0, 30.0),
            ("Doberman Pinscher", 1.5, 27.0, 45.0),
            ("Boston Terrier", 1.5, 5.0, 11.0),
            ("Cocker Spaniel", 1.5, 9.0, 14.0),
            ("Border Collie", 1.5, 12.0, 20.0),
            ("Maltese", 1.5, 2.0, 4.0),
            ("Jack Russell Terrier", 1.5, 6.0, 8.0),
            ("Australian Cattle Dog", 1.5, 15.0, 22.0),
            ("Great Dane", 1.0, 45.0, 80.0),
            ("Bernese Mountain Dog", 1.0, 32.0, 52.0),
            ("Havanese", 1.0, 3.0, 6.0),
            ("Shetland Sheepdog", 1.0, 6.0, 12.0),
            ("Basset Hound", 1.0, 20.0, 30.0),
            ("Mastiff", 0.5, 55.0, 90.0),
            ("Weimaraner", 0.5, 25.0, 40.0),
            ("Akita", 0.5, 32.0, 59.0),
        ],
    },
    Species {
        labels: &["Cat", "Cat", "Cat", "Feline"],
        weight: 37.0,
        desexed: 0.85,
        breeds: &[
            ("Domestic Shorthair", 60.0, 3.0, 7.0),
            ("Domestic Longhair", 10.0, 3.0, 7.0),
            ("Domestic Medium Hair", 8.0, 3.0, 7.0),
            ("Siamese", 3.0, 2.5, 5.5),
            ("Maine Coon", 3.0, 5.0, 11.0),
            ("Ragdoll", 3.0, 4.5, 9.0),
            ("Persian", 2.0, 3.0, 5.5),
            ("Bengal", 2.0, 3.5, 7.0),
            ("British Shorthair", 1.5, 4.0, 8.0),
            ("Sphynx", 1.0, 3.0, 5.5),
            ("Russian Blue", 1.0, 3.0, 5.5),
            ("Himalayan", 1.0, 3.0, 5.5),
            ("Abyssinian", 0.5, 3.0, 5.0),
            ("Scottish Fold", 0.5, 3.0, 6.0),
            ("Norwegian Forest Cat", 0.5, 4.0, 9.0),
        ],
    },
    Species {
        labels: &["Rabbit"],
        weight: 3.0,
        desexed: 0.4,
        breeds: &[
            ("Holland Lop", 3.0, 0.9, 1.8),
            ("Netherland Dwarf", 2.0, 0.5, 1.2),
            ("Mini Rex", 2.0, 1.4, 2.0),
            ("Lionhead", 2.0, 1.0, 1.7),
            ("Mixed", 2.0, 1.0, 4.0),
            ("Flemish Giant", 1.0, 5.0, 10.0),
            ("Dutch", 1.0, 1.6, 2.5),
        ],
    },
    Species {
        labels: &["Bird", "Bird", "Avian"],
        weight: 2.5,
        desexed: 0.0,
        breeds: &[
            ("Budgerigar", 3.0, 0.03, 0.04),
            ("Cockatiel", 3.0, 0.08, 0.12),
            ("African Grey", 1.0, 0.4, 0.6),
            ("Lovebird", 1.0, 0.04, 0.06),
            ("Green-cheeked Conure", 1.0, 0.06, 0.08),
            ("Canary", 1.0, 0.015, 0.03),
            ("Cockatoo", 0.5, 0.3, 0.9),
        ],
    },
    Species {
        labels: &["Guinea Pig"],
        weight: 1.0,
        desexed: 0.05,
        breeds: &[
            ("American", 2.0, 0.7, 1.2),
            ("Abyssinian", 1.0, 0.7, 1.2),
            ("Peruvian", 0.5, 0.7, 1.2),
        ],
    },
    Species {
        labels: &["Ferret"],
        weight: 0.5,
        desexed: 0.9,
        breeds: &[("Domestic Ferret", 1.0, 0.7, 2.0)],
    },
    Species {
        labels: &["Reptile"],
        weight: 1.0,
        desexed: 0.0,
        breeds: &[
            ("Bearded Dragon", 2.0, 0.3, 0.6),
            ("Ball Python", 1.0, 1.0, 2.0),
            ("Red-eared Slider", 1.0, 0.5, 1.5),
            ("Leopard Gecko", 1.0, 0.05, 0.08),
        ],
    },
];

/// Species codes no mapping knows: leftovers of old systems and typing slips.
pub const UNKNOWN_SPECIES: &[&str] = &[
    "K9", "FEL", "CAN", "EXOTIC", "UNK", "?", "Dg", "99", "Other",
];

/// Misspelt domains that make an address undeliverable.
pub const BAD_DOMAINS: &[&str] = &[
    "gmial.con",
    "gmail.co",
    "gmai.com",
    "yaho.com",
    "hotmial.com",
    "gmail,com",
    "outlook.cmo",
    "aol",
];

/// A city with the state, ZIP code and area code that go with it.
pub struct City {
    /// As written in the export (St. Louis, Coeur d'Alene).
    pub name: &'static str,
    /// Two-letter USPS code.
    pub state: &'static str,
    /// Five digits, leading zero kept (New England).
    pub zip: &'static str,
    /// Telephone area code.
    pub area: &'static str,
}

/// The tables parsed once, with a sampler for each.
pub struct Tables {
    /// Surnames, and a Zipf sampler over them.
    pub last: (Vec<&'static str>, Weighted),
    /// Men's given names.
    pub male: (Vec<&'static str>, Weighted),
    /// Women's given names.
    pub female: (Vec<&'static str>, Weighted),
    /// Street names, compounds and numbered streets included.
    pub streets: (Vec<String>, Weighted),
    /// Over `STREET_TYPES`.
    pub street_types: Weighted,
    /// Cities; their sampler favours a few, as a clinic's clients live nearby.
    pub cities: (Vec<City>, Weighted),
    /// Over `EMAIL_DOMAINS`.
    pub domains: Weighted,
    /// Pet names.
    pub pets: (Vec<&'static str>, Weighted),
    /// Over `SPECIES`.
    pub species: Weighted,
    /// One sampler per species, over its breeds.
    pub breeds: Vec<Weighted>,
}

impl Tables {
    /// Parses the tables; `rng` picks which cities this clinic's clients mostly live in.
    pub fn new(rng: &mut Rng) -> Self {
        let words = |text: &'static str| text.split_whitespace().collect::<Vec<_>>();
        // The shifts fit the US shares: Smith ~2 % of these surnames, James ~3 % of men.
        let zipf = |list: Vec<&'static str>, shift: f64| {
            let w = Weighted::zipf(list.len(), 1.0, shift);
            (list, w)
        };

        let mut cities: Vec<City> = CITIES
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|line| {
                let mut parts = line.split(", ");
                let mut next = || parts.next().expect("city lines have four parts");
                City {
                    name: next(),
                    state: next(),
                    zip: next(),
                    area: next(),
                }
            })
            .collect();
        // Shuffled per seed so that each seed is a clinic in a different region.
        for i in (1..cities.len()).rev() {
            cities.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let city_weights = Weighted::zipf(cities.len(), 1.0, 2.0);

        let streets = streets();
        let street_weights = Weighted::zipf(streets.len(), 1.0, 10.0);

        Tables {
            last: zipf(words(LAST_NAMES), 8.0),
            male: zipf(words(MALE_FIRST_NAMES), 10.0),
            female: zipf(words(FEMALE_FIRST_NAMES), 12.0),
            streets: (streets, street_weights),
            street_types: Weighted::new(STREET_TYPES.iter().map(|t| t.2)),
            cities: (cities, city_weights),
            domains: Weighted::new(EMAIL_DOMAINS.iter().map(|d| d.1)),
            pets: zipf(pet_names(), 10.0),
            species: Weighted::new(SPECIES.iter().map(|s| s.weight)),
            breeds: SPECIES
                .iter()
                .map(|s| Weighted::new(s.breeds.iter().map(|b| b.1)))
                .collect(),
        }
    }
}

/// Pet names: the list, then the two-word names a whitespace list cannot hold.
fn pet_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = PET_NAMES.split_whitespace().collect();
    names.extend(["Mr. Whiskers", "Bun Bun", "Miss Kitty"]);
    names
}

/// All street names: the listed ones, then compounds, then numbered streets, without repeats.
fn streets() -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let listed = STREET_NAMES
        .split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from);
    let roots: Vec<&str> = STREET_ROOTS.split_whitespace().collect();
    // Each root takes three suffixes, spread so that no suffix dominates.
    let compounds = roots.iter().enumerate().flat_map(|(i, root)| {
        (0..3).map(move |k| {
            let suffix = STREET_SUFFIXES[(i * 5 + k * 7) % STREET_SUFFIXES.len()];
            format!("{root}{suffix}")
        })
    });
    let numbered = (1..=40).map(|n| {
        let suffix = match (n % 10, n % 100) {
            (_, 11..=13) => "th",
            (1, _) => "st",
            (2, _) => "nd",
            (3, _) => "rd",
            _ => "th",
        };
        format!("{n}{suffix}")
    });
    listed
        .chain(compounds)
        .chain(numbered)
        .filter(|s| seen.insert(s.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_have_the_promised_variety() {
        let t = Tables::new(&mut Rng::new(1));
        let distinct = |v: &[&str]| v.iter().collect::<std::collections::HashSet<_>>().len();
        assert_eq!(distinct(&t.last.0), 1000);
        assert!(distinct(&t.male.0) + distinct(&t.female.0) >= 300);
        assert!(t.streets.0.len() >= 450, "{}", t.streets.0.len());
        assert!(t.cities.0.len() >= 300, "{}", t.cities.0.len());
        assert!(t.pets.0.len() >= 150);
        for c in &t.cities.0 {
            assert!(
                c.zip.len() == 5 && c.area.len() == 3 && c.state.len() == 2,
                "{}",
                c.name
            );
        }
    }
}
