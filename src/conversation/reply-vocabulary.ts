/**
 * The words around a number that tell the parser what it is: lead-in words that
 * carry no comment, words joining two numbers, and the words before or after a
 * number that make it an identifier, a time, money or a count instead of a score.
 * All eleven languages mixed (English, Swedish, Danish, Norwegian, Finnish, Icelandic,
 * German, Dutch, French, Spanish, Polish): a reply may mix them too. Words are compared
 * by `wordKey`, so they are listed without caring for case or accents.
 */
import { keySet } from './reply-text.ts';

/**
 * Words that carry no comment and may come before a spoken score: "I'd say", "a solid",
 * "jag ger en", "jeg giver jer et". A reply made only of these and a score has no comment.
 */
export const FILLERS = keySet(`
  i i'd id i'll i'm im i've we we'd would will could should have has had to say said saying give giving gives gave
  rate rating rated score scored my our your is are was be it it's its that that's thats this a an the you u ya guys
  y'all all solid strong firm easy easily definitely def defo certainly probably prob maybe perhaps likely think guess
  believe hmm hm hmmm um umm uh er erm well so ok okay k yes yeah yep yup sure hi hey hello go going with gonna about
  around approximately roughly like honestly tbh overall me from for of number points point pts just really pretty
  absolutely totally high low then now anyway answer reply response final between either
  jag ger säger skulle säga sätta sätter ge vill nog kanske typ ungefär runt cirka ca en ett stark starkt klar klart
  solklart betyg betyget min mitt är blir bli det den hej ja absolut definitivt självklart tror dig får poäng siffra
  siffran svar svaret mellan antingen
  jeg giver giv siger vil sige ville måske et karakter karakteren tal tallet mit bliver helt stærk jer dem point
  omkring mellem enten lige bare da så vel
  gir sier si gi kanskje én tall dere deg poeng sånn rundt omtrent mellom terningkast
  annan antaisin antaisi sanoisin sanon sanoisi arvosana arvosanaksi arvosanan olisi ehkä noin suunnilleen varmaan
  varmasti kyllä joo moi hei terve teille sulle sinulle täydet täyden vahva vahvan puhdas puhtaan selvä selkeä
  pisteet pistettä mä mun minun ihan aika melko siis sitten välillä
  ég gef gefa gefið myndi segi segja svona sirka það væri já hæ halló ykkur þér einkunn einkunnina stig klárlega
  alveg örugglega kannski líklega bara nú þá milli
  ich gebe geb gib würde würd sagen sage sag eine ein einen ne n glatte glatt klare klar solide volle ja also na naja
  ähm äh euch dir ihnen sie mal jetzt bewertung punkte note mir definitiv sicher sicherlich vielleicht etwa ungefähr
  eher hallo schon wohl jeden fall es ist wäre eindeutig das der ganz zwischen
  ik geef geven zou zeggen zeg een dikke dikken ruime ruim jullie je jou het wordt wel zeker misschien ongeveer nou hoor
  hoi punten punkten cijfer mijn mij toch gewoon echt helemaal denk zo'n zon tussen
  je j'ai j'te donne donnerais donnerai mets mettrais mettrai dirais dis un une bon bonne oui euh ben bah bonjour
  salut vous te c'est cest serait sera peut-être peut être environ disons vraiment franchement honnêtement
  largement ma mon la le les du sans doute certainement clairement entre
  yo doy una daría daré pongo pondría diría digo sólido sí pues bueno eh hola les os es sería será quizás quizá tal vez
  unos claramente seguro seguramente puntos nota mi del el lo calificación puntuación creo totalmente duda
  daję dam dałbym dałabym bym powiedziałbym powiedziałabym mocne mocna mocną solidne solidna pełne pewno może
  chyba około cześć jest będzie ode mnie wam ci pani panu państwu punktów punkty ocena ocenę moja mój myślę
  raczej zdecydowanie spokojnie śmiało wahania między
`);

/** Words joining two numbers into a range or a choice: "7 or 8", "sju eller åtta", "between 6 and 7". */
export const CONNECTORS = keySet('or eller till til to and och og tai eða oder und bis of tot ou et o u y lub albo czy');

/** A number right after one of these (with only NEGATION_BRIDGE words between) is what the score is not: "keine 10", "pas 10". */
export const NEGATORS = keySet(`
  not never don't dont wouldn't wouldnt won't wont isn't isnt inte ej aldrig ikke aldri ei ekki aldrei nicht kein keine
  keinen keiner nie niemals niet geen nooit pas jamais no nunca nie
`);

/** Words that may stand between a negation and its number: "not a 10", "nicht ganz eine 10", "pas vraiment un 10". */
export const NEGATION_BRIDGE = keySet(`
  a an quite really exactly even full perfect give giving en ett et helt riktigt heilt alveg ganz ganze glatte volle
  ein eine einen ne n gebe geben een helemaal echt geef un une vraiment tout à fait de du es una del todo doy
  ihan aivan täysi täyttä do końca dam daję
`);

/** A number with a dot after one of these is a date or an ordinal, not a score: "am 9.", "der 3. Versuch", "den 5. maj". */
export const DATE_PREPOSITIONS = keySet('am vom zum zur ab seit bis der die das dem den des beim im le du el del op per');

/** Month names: a number right before one is a day of the month ("9. Mai", "10 de mayo", "9 maja"). English "may" is left out: "10 may be high". */
export const MONTHS = keySet(`
  january february march april june july august september october november december
  januari februari mars april maj juni juli augusti oktober januar februar marts mai desember
  tammikuuta helmikuuta maaliskuuta huhtikuuta toukokuuta kesäkuuta heinäkuuta elokuuta syyskuuta lokakuuta
  marraskuuta joulukuuta tammikuu helmikuu maaliskuu huhtikuu toukokuu kesäkuu heinäkuu elokuu syyskuu lokakuu
  marraskuu joulukuu
  janúar febrúar apríl maí júní júlí ágúst október nóvember
  jänner märz oktober dezember
  maart mei augustus
  janvier février avril juin juillet août septembre octobre novembre décembre
  enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre
  stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października listopada grudnia
  styczeń luty marzec kwiecień czerwiec lipiec sierpień wrzesień październik listopad grudzień
`);

/** A number right after one of these is an identifier, a time, a date, or money. */
export const BEFORE_NOT_SCORE = keySet(`
  order orders ordre ordrenr ordrenummer ordernr ordernummer ordnr nr ticket tickets case ärende ärendenummer sag
  sagsnummer sak saksnummer ref reference referens referanse id invoice faktura fakturanr fakturanummer account acct
  konto kontonummer kundnummer kundenummer kundnr kundenr tracking bestilling bestillingsnummer beställning room rum
  rom værelse flight flyg gate version ver step page sida side linje bus buss kl klockan klokka klokken tel telefon
  phone mobile mobil postnummer zip apartment apt lgh lägenhet leilighet lejlighed iphone ios android windows galaxy
  pixel ipad macos playstation ps xbox model modell serie series serial gen generation week vecka uke uge floor våning
  etage etasje chapter kapitel part price pris cost costs kostar koster paid betalte betalade
  kr sek dkk nok usd eur gbp
  january february march april june july august september october november december jan feb mar apr jun jul aug
  sep sept oct okt nov dec dek januari februari mars maj juni juli augusti januar februar marts mai desember
  tilaus tilausnumero tilausnro tilauksen tilausta lasku laskun laskunumero asiakasnumero asiakasnro tiketti tapaus
  tapausnumero viite viitenumero numero nro sivu viikko huone lento linja kerros puh puhelin puhelinnumero hinta
  maksoi maksaa maksoin versio malli klo kello toukokuun kesäkuun
  pöntun pöntunarnúmer pantanir reikningur reiknings númer málsnúmer síða vika herbergi flug lína hæð kafli sími
  símanúmer verð kostar kostaði borgaði útgáfa klukkan
  bestellung bestellnummer bestellnr auftrag auftragsnummer auftragsnr rechnung rechnungsnummer rechnungsnr
  kundennummer kundennr vorgang vorgangsnummer ticketnummer sendungsnummer nummer artikel artikelnummer zimmer seite
  woche kapitel stock handy preis kostet kosten bezahlt modell gleis linie flug plz postleitzahl hausnummer chf
  bestelling bestelnummer bestelnr factuur factuurnummer klantnummer klantnr referentie zaaknummer pagina kamer
  huisnummer telefoon mobiel prijs kost betaald versie lijn vlucht perron hoofdstuk
  commande numéro facture dossier client référence chambre vol ligne quai étage chapitre tél téléphone portable
  prix coûte coûtait payé modèle
  pedido número núm num factura cliente referencia caso expediente página semana habitación vuelo línea planta piso
  capítulo teléfono móvil celular precio cuesta cuestan costó pagué pagado versión modelo las
  zamówienie zamówienia zamówieniu numer faktura faktury fakturze klienta zgłoszenie zgłoszenia sprawa sprawy strona
  stronie tydzień pokój linia peron piętro rozdział komórka cena kosztuje kosztowało zapłaciłem zapłaciłam wersja
  godz godzinie ul pln isk zł
  januar februar märz april juni juli august oktober dezember maart mei augustus janvier février avril juin juillet
  août septembre octobre novembre décembre enero febrero marzo abril mayo junio julio agosto septiembre octubre
  noviembre diciembre
`);

/** A number followed by one of these is a duration, an amount or a count, not a score ("3 days", "10 kr"). */
export const UNITS = keySet(`
  s sec secs second seconds sekund sekunder m min mins minute minutes minut minuter minutter h hr hrs hour hours timme
  timmar tim t time timer d day days dag dagar dage dager dygn døgn wk wks week weeks vecka veckor veckan uge uger uke
  uker month months mo mos månad månader måned måneder mnd year years yr yrs år am pm
  kr kronor krona kroner krone sek dkk nok eur euro euros usd dollar dollars bucks pound pounds gbp öre øre cent cents
  k kkr tkr mkr
  kg g gram grams km cm mm mi mile miles meter meters metres l liter liters litre ml gb mb tb kb mbit mbps gbps kbps
  mhz ghz kw kwh
  x st stk pcs pieces piece items item times gånger ganger gange gang people persons person personer folk calls call
  samtal opkald anrop emails email mails mail mejl messages meddelanden beskeder meldinger tickets orders ordrer
  agents stars star stjärnor stjärna stjerner stjerne percent procent prosent pct kids children barn attempts tries
  försök forsøg forsøk steps pages sidor
  sekunti sekuntia sekunnin minuutti minuuttia minuutin tunti tuntia tunnin päivä päivää päivän viikkoa viikon
  kuukausi kuukautta kuukauden vuosi vuotta vuoden kertaa kerran euroa senttiä tähteä prosenttia henkilöä asiakasta
  puhelua yritystä viestiä tilausta sivua kpl pv vrk
  sekúndur sekúndu mínútur mínútu mín klukkutíma klukkutímar klukkustund klukkustundir klst tíma tímar daga dagur
  viku vikur mánuð mánuði mánuðir ára sinnum krónur evrur stjörnur prósent manns símtöl tilraunir skilaboð pantanir
  sekunde sekunden minute minuten stunde stunden std tag tage tagen woche wochen monat monate monaten jahr jahre
  jahren uhr mal anrufe euro franken stück stueck sterne prozent leute personen kunden versuche nachrichten
  bestellungen
  seconde seconden minuut uur uren dagen weken maand maanden jaar jaren keer maal stuks sterren mensen klanten
  pogingen berichten bestellingen
  secondes heure heures jour jours semaine semaines mois ans année années fois centimes étoiles personnes clients
  appels tentatives commandes
  segundo segundos minuto minutos hora horas día días semana semanas mes meses año años veces céntimos estrellas
  personas llamadas intentos mensajes pedidos páginas
  sekund sekundy sekundę minut minuty minutę godzin godziny godzinę godz dni dzień dnia tygodni tygodnie tydzień
  miesięcy miesiące miesiąc lat lata rok roku razy zł złotych pln gwiazdek gwiazdki osób osoby klientów telefonów
  prób wiadomości zamówień stron isk chf zl
`);
