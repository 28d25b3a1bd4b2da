"""The access-code word list: 7,776 distinct words, none a person in distress could read badly."""

from __future__ import annotations

import hashlib
import itertools
import math
from importlib import resources

from generator.formats import codes

# Stems (a word starting with one is refused) of what must never be handed to
# someone as their key: violence, weapons, death, self-harm, illness and
# hospitals, drugs, body image and food, sex, slurs and insults, despair.
NEVER = """
    abnormal abrasion absinthe abuse achiness aching afflicted afraid afterlife agonize
    agonizing agony alone ambulance ambush amniotic anemia anemic aneurism anguished anorex
    armed arousal arrest arson ashamed ashen ashes aspirin atrocious atrophy autism autistic
    avenge avenging backache backstab battered battering battle bazooka blade blame bleach bleak
    bleed blemish bloated bloating bloody bonehead bony boozy broken bruising brute brutishly
    buckshot bulim bullfight bullwhip bully calamity caloric calorie cancer cannabis captive
    captivity cardiac carnage casket casualty catacomb catatonic cathouse cauterize cesarean
    cheating chemo childless chokehold choking chubby cleaver clinic cocaine coffin coke
    collapse coma contusion coronary coroner corpse cramp crazed crazily craziness crazy cried
    cruelly cruelness cruelty crying curse custody cut dagger dead deafness death decay deceased
    decompose defective degraded degrading dejected delirious delirium delusion demeaning demise
    departed depraved depravity depress deranged desecrate desolate despair despise destitute
    destruct detention detest detonate detonator detoxify deviancy deviant diabetes diabetic
    diagnoses diagnosis disabled disaster disfigure disgrace dislocate dismay disorder disown
    distress divorcee dizziness dizzy dosage dose douche dreaded dreadful dropout drown drunk
    dwarf dweeb dying dynamite dyslexia dyslexic earache embolism emergency emptier emptiness
    empty endanger enrage enslave entomb epidemic epidural epilepsy epileptic estranged evict
    evil exhume exile explode failing famine famished fascism fasting feeble fetal fever filth
    flaccid flogging fondling fracture frail freebase frighten frightful frigidity frigidly
    gallows gallstone gambling gangrene gestate gestation gigolo glaucoma gloomily gloomy
    glutton gonad gore gorged gory graveness graves graveyard grief grievance grieving grievous
    grope grudge gun handcuff handgun hangover harmful hatchet hate hatred haunt hazard hazing
    headless headlock headsman headstone helpless hemlock herbicide heroin hopeless humiliate
    hunchback hunger hurt hypocrisy hypocrite ibuprofen idiocy ignore imbecile impaired impale
    impotence impotency impotent imprison islamist isolated isolating isolation jackknife
    jailbird jailbreak jailer jailhouse jaundice junkie kick kill landmine laxative lethargic
    lethargy lonel lunacy lustfully lustily lustiness lusty lying mace maggot maimed malformed
    mammary mammogram mangle manhandle manhunt marauding mobster mocker mongrel morbidity
    morbidly morphine mortality mortally mortician mortified mortify mortuary mourner mournful
    mumps murder musket mutilated mutilator nebulizer neglector nervous neurosis neurotic neuter
    nicotine noose numbing numbly numbness nutcase obituary obsessed obsession obsessive ogle
    onslaught opium oppressed oppressor outbreak outcast overdos overeater overfed overfeed
    overkill pacemaker pandemic panic paralyses paralysis paralyze paramedic parasite parasitic
    parole penknife penniless perish persecute pesticide phobia pistol pointless poison polio
    pox predator pregnancy pregnant prenatal prison probation prognosis prowler prozac pulmonary
    pummel punch punisher pureblood purgatory purge purging pusher putdown pyro rabid racism
    rape rash reburial rectal rehab relapse relapsing remission repressed repugnant repulsion
    repulsive resent revenge revolver ribcage riddance rifle ritalin robbing rotten rotting
    ruined runt rupture sacrifice sadden sadly sadness scabbed scabby scalded scalding scale
    scalping scapegoat scared scarring scary scorn scrawny secluded secluding seclusion sedate
    sedation sedative seduce seducing sensually sensuous septic serotonin shame shivering shock
    shrapnel shriek shun silencer sinister sinner skeletal skeleton skinhead skinless skinning
    skinny slain slapping slashed slashing slit smother spinster stabbing starv sterile
    sterility sterilize stimulant stoning strangle stricken stupor sufferer suffering suffocate
    suicid supremacy surgery surgical symptom syndrome taunt thigh thinness thong threaten
    throttle tragedy trembling triage trimester tubby tumor tumour turmoil umbilical uncaring
    undead underage underfed unhappily unhappy unhealthy unhinge unlikable unlovable unloved
    unlovely unloving unnatural unsafe unsightly unstable unwanted unwelcome unwell unworthy
    upchuck urologist urology uselessly valium vendetta vengeful venomous violate violation
    violator vixen vomit widow wimp womb worried worry worsening worthless wound wreckage wrist
    zit zombie
""".split()

NOTICE = resources.files("generator").joinpath("data/WORDLIST-NOTICE.md")
WORDS = resources.files("generator").joinpath("data/eff_large_wordlist.txt")


def test_the_list_keeps_7776_distinct_words_for_77_bits():
    words = codes.wordlist()
    assert len(words) == 7776 == len(set(words))
    assert codes.WORDS_PER_CODE * math.log2(len(words)) >= codes.MIN_CODE_BITS


def test_no_word_could_upset_someone_in_distress():
    bad = [word for word in codes.wordlist() for stem in NEVER if word.startswith(stem)]
    assert bad == []


def test_no_word_is_the_start_of_another_so_typed_codes_stay_unambiguous():
    words = sorted(codes.wordlist())
    assert all(word.isascii() and word.isalpha() and 3 <= len(word) <= 9 for word in words)
    assert [(a, b) for a, b in itertools.pairwise(words) if b.startswith(a)] == []


def test_the_notice_names_the_file_it_describes():
    digest = hashlib.sha256(WORDS.read_bytes()).hexdigest()
    assert f"sha256 of the file: {digest}" in NOTICE.read_text("utf-8")
