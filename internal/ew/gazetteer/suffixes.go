package gazetteer

import (
	"strings"

	"github.com/kurultai/kurultai/internal/ew"
)

// suffixSets returns, per language, the endings a name stem may carry in
// text: case, number, possessive and derivational (demonym, adjective)
// suffixes. A stem may take up to maxSuffixes of them in a row (Turkish
// Kazakistan+lı+lar+da, Russian казахстан+ск+ого). Sets are folded like
// text and hold no suffix that could turn a name into a common word on
// its own; the longer names (Kazakhstan, Almaty) are safe, and one-word
// short names are guarded by the capitalisation rules of the data.
func suffixSets() map[ew.Lang]map[string]bool {
	sets := map[ew.Lang]string{
		ew.Turkish: `da de ta te dan den tan ten a e ya ye ı i u ü yı yi yu yü ın in un ün nın nin nun nün
			na ne nda nde ndan nden ndaki ndeki daki deki taki teki lı li lu lü lar ler ca ce ça çe
			sı si su sü la le yla yle ki dır dir`,
		ew.Azerbaijani: `da də dan dən a ə ya yə ı i u ü nı ni nu nü ın in un ün nın nin nun nün na nə
			nda ndə ndan ndən dakı dəki ndakı ndəki lı li lu lü lar lər ca cə sı si su sü la lə yla ylə`,
		ew.Kazakh: `да де та те нда нде дан ден тан тен нан нен ға ге қа ке на не а е ның нің дың дің
			тың тің ы і сы сі н ды ді ты ті ны ні лық лік дық дік тық тік тар тер лар лер дар дер
			ндағы ндегі дағы дегі тағы тегі ша ше мен бен пен
			da de ta te nda nde dan den tan ten ga ge qa ke nyń niń dyń diń lyq lik dyq dik tyq tik`,
		ew.Kyrgyz: `да до дө де та то тө те нда ндо ндө нде дан дон дөн ден тан тон төн тен нан нон нөн нен
			га го гө ге ка ко кө ке на но нө не а е о ө нын нин нун нүн дын дин дун дүн тын тин тун түн
			ы и у ү сы си су сү н лык лик лук лүк дык дик дук дүк тык тик тук түк лар лер лор лөр
			дар дер дор дөр тар тер тор төр дагы деги догу дөгү ндагы ндеги ндогу ндөгү тагы теги`,
		ew.Uzbek: `da ga ka qa dan ning ni i si lik liklar lar dagi ga ni
			да га ка қа дан нинг ни и си лик ликлар лар даги`,
		ew.Russian: `а я у ю е ом ем ой ей ы и ам ям ах ях ами ями ов ев ии ия ию ией ь ью
			ий ый ая яя ое ее ие ые ого его ому ему ую юю их ых им ым ими ыми
			ск ц цы цев цам ец ца ин`,
		ew.English: `s es 's`,
		ew.Hungarian: `ban ben ba be ból ből ra re ról ről hoz hez höz nak nek val vel on en ön n t ot et öt
			at ig ért tól től nál nél nal nel i ai ei ak ek ok ök k a e ja je é á ul ül ként`,
		ew.Arabic: `ي ه يه يين يون ين ان ون يا`,
	}
	out := map[ew.Lang]map[string]bool{}
	all := map[string]bool{}
	for l, s := range sets {
		m := map[string]bool{}
		for _, f := range strings.Fields(s) {
			m[f] = true
			all[f] = true
		}
		out[l] = m
	}
	out[ew.Unknown] = all
	return out
}

// maxSuffixes bounds how many suffixes follow a stem.
const maxSuffixes = 3

// arabicProclitics are the prefixes tried off an Arabic word: the article,
// conjunctions and prepositions, alone and combined.
const arabicProclitics = "وبال فبال وال فال بال كال ولل فلل لل ال وب فب ول فل وك و ف ب ل ك"
