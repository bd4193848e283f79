package crisis

import (
	"strings"
	"time"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/kurultai"
	"github.com/kurultai/kurultai/internal/seed"
	"github.com/kurultai/kurultai/internal/stix"
)

// TypePrefix starts the STIX type name of every crisis record.
const TypePrefix = "kurultai-"

// CollectionID is the TAXII collection that holds crisis records, fixed so
// that every node of a deployment uses the same id.
const CollectionID = "b69983e5-c162-4775-b8df-534df639d1b7"

// Collection is the crisis collection.
func Collection() kurultai.Collection {
	return kurultai.Collection{
		ID:    CollectionID,
		Title: "Crisis mechanism",
		Description: "Situations, mode changes, consent, situation reports, statement drafts, silence procedures, " +
			"meetings and assistance, as STIX objects of Kurultai's crisis extensions, each released per the charter.",
		Alias: "crisis",
	}
}

// kindInfo describes one record kind's STIX extension.
type kindInfo struct {
	ext    string // extension-definition id, fixed forever
	about  string // extension-definition description
	schema string // the properties, in plain text
}

// kinds holds the extension of every record kind. The ids must never
// change: they are in every record every node has stored.
var kinds = map[charter.RecordKind]kindInfo{
	charter.KindSituation: {"extension-definition--de340104-9dbc-4c67-891d-68ceda637bb6",
		"A crisis situation in one or more member states.",
		"title (string), onset (timestamp), affected (list of member codes), initial_mode (string), charter_version (string), summary (string, optional)."},
	charter.KindModeChange: {"extension-definition--451c1e09-e122-49d0-9768-ba940a22b197",
		"The chair moves a situation from one crisis mode to another.",
		"from_mode (string), to_mode (string), reason (string, optional)."},
	charter.KindConsultationRequest: {"extension-definition--c0159d7c-fc06-49a4-954d-5c9176cb062a",
		"A member requests consultation on a situation.",
		"reason (string, optional)."},
	charter.KindConsentRequest: {"extension-definition--e6ce9ba1-35c1-4799-b44f-555fd0544c2f",
		"The affected states are asked to consent to public statements and meetings about them.",
		"expires (timestamp: the answer is due), note (string, optional)."},
	charter.KindConsentAnswer: {"extension-definition--3352514d-d511-411a-bcd7-64a341a588b4",
		"An affected state answers a consent request.",
		"request_ref (identifier), answer (granted or refused), note (string, optional)."},
	charter.KindBriefer: {"extension-definition--5480739b-6995-47be-95bb-de9bbf8bf62d",
		"An affected state designates the office that briefs the members.",
		"briefer (string: an office or function), note (string, optional)."},
	charter.KindSituationReport: {"extension-definition--d2e5e812-8e47-4b46-a018-a1d122d28e00",
		"A report on the situation.",
		"title (string, optional), text (string)."},
	charter.KindStatementDraft: {"extension-definition--e4846be2-c2a4-4f91-82b5-598487837c60",
		"A draft statement; its STIX versions are its versions.",
		"title (string), text (string), release (the audience once adopted)."},
	charter.KindSilence: {"extension-definition--edc36ee4-73ba-4a04-b0bc-f9c849d505f3",
		"The chair puts one version of a draft under the silence procedure with an exact expiry.",
		"draft_ref (identifier), draft_version (timestamp string), expires (timestamp), urgency (urgent or normal), release (audience if adopted)."},
	charter.KindSilenceBreak: {"extension-definition--425c9f67-edf3-4785-88e7-fd1ac8ade085",
		"A member breaks silence with a written objection or amendment.",
		"silence_ref, draft_ref (identifiers), draft_version (string), break_kind (objection or amendment), text (string)."},
	charter.KindSilenceExtension: {"extension-definition--3e7889c7-cdbb-4d05-b42e-054420456040",
		"The chair extends a silence procedure.",
		"silence_ref (identifier), expires (timestamp: the new expiry), reason (string, optional)."},
	charter.KindDeclaration: {"extension-definition--c5fc87ea-1093-4de3-b254-35087b9d66ca",
		"The chair declares a text adopted or not adopted; authoritative.",
		"silence_ref, draft_ref (identifiers), draft_version (string), outcome (adopted or not_adopted), title and text (the adopted text), reason (string, optional)."},
	charter.KindMeeting: {"extension-definition--e57d9ea1-4dd8-4407-9bf3-af579901ec33",
		"The chair convenes a meeting.",
		"level (meeting level id), start (timestamp), invitees (participant codes), agenda (string), format (string, optional)."},
	charter.KindMeetingOutcome: {"extension-definition--feae248e-f4ad-454d-b071-c411b5d263aa",
		"Attendance and outcome of a meeting.",
		"meeting_ref (identifier), held (boolean), present (participant codes), outcome (string)."},
	charter.KindAssistanceRequest: {"extension-definition--c7ad7d79-c19e-4e69-8dd8-55711bfde90d",
		"An affected state's request for assistance, or a member's unsolicited offer.",
		"message (request or offer), recipient (member code, offers only), items (list of {item, quantity, unit}), text (string, optional)."},
	charter.KindAssistanceResponse: {"extension-definition--812d61da-f8dc-4874-9fad-42af28da4b0e",
		"A message about an assistance request or offer: pledge, accept, decline, need_info, delivered, cancel, close.",
		"request_ref (identifier), message (string), pledge_ref (identifier, optional), items (list of {item, quantity, unit}, pledges), text (string, optional)."},
}

// TypeName returns the STIX type of a record kind: "kurultai-situation".
func TypeName(k charter.RecordKind) string { return TypePrefix + string(k) }

// KindOf returns the record kind of a STIX type, if it is one.
func KindOf(typ string) (charter.RecordKind, bool) {
	k, ok := strings.CutPrefix(typ, TypePrefix)
	if !ok || !charter.RecordKind(k).Valid() {
		return "", false
	}
	return charter.RecordKind(k), true
}

// IsRecordType reports whether a STIX type is a crisis record's.
func IsRecordType(typ string) bool { _, ok := KindOf(typ); return ok }

// ExtensionID returns the id of a record kind's extension-definition.
func ExtensionID(k charter.RecordKind) string { return kinds[k].ext }

type extensionDefinitionJSON struct {
	Type              string   `json:"type"`
	SpecVersion       string   `json:"spec_version"`
	ID                string   `json:"id"`
	CreatedByRef      string   `json:"created_by_ref"`
	Created           string   `json:"created"`
	Modified          string   `json:"modified"`
	Name              string   `json:"name"`
	Description       string   `json:"description"`
	Schema            string   `json:"schema"`
	Version           string   `json:"version"`
	ExtensionTypes    []string `json:"extension_types"`
	ObjectMarkingRefs []string `json:"object_marking_refs"`
}

// ExtensionDefinitions returns the extension-definition of every record
// kind, written by createdBy (an identity id) and released to every
// participant (TLP:CLEAR, REL TO public), so that any tool can learn what
// the crisis types hold. Store them in the crisis collection at start.
func ExtensionDefinitions(createdBy string, created time.Time) [][]byte {
	ts := stix.FormatTime(created)
	out := make([][]byte, 0, len(charter.RecordKinds))
	for _, k := range charter.RecordKinds {
		info := kinds[k]
		out = append(out, mustMarshal(extensionDefinitionJSON{
			Type:              "extension-definition",
			SpecVersion:       "2.1",
			ID:                info.ext,
			CreatedByRef:      createdBy,
			Created:           ts,
			Modified:          ts,
			Name:              TypeName(k),
			Description:       info.about,
			Schema:            "New SDO " + TypeName(k) + " of the Kurultai crisis mechanism. Besides the common properties it has situation_ref (the situation's identifier; not on situations) and actor_role (the mechanism role the writer acted in), and: " + info.schema,
			Version:           "1.0",
			ExtensionTypes:    []string{"new-sdo"},
			ObjectMarkingRefs: []string{kurultai.TLP2ClearID, seed.AudienceMarkingID(kurultai.AudiencePublic)},
		}))
	}
	return out
}
