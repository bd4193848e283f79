package web

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/kurultai/kurultai/internal/charter"
	"github.com/kurultai/kurultai/internal/crisis"
	"github.com/kurultai/kurultai/internal/kurultai"
)

// maxItems is the number of item rows an assistance form has.
const maxItems = 5

// timeLayout is what <input type="datetime-local"> sends.
const timeLayout = "2006-01-02T15:04"

// formAction reads the parameters of the named action from a form, as the
// JSON API reads them from a body: the form becomes the same JSON object
// and crisis.DecodeAction checks it, so both surfaces accept exactly the
// same parameters. Times are read in the user's zone.
func formAction(name string, form url.Values, tz *time.Location) (crisis.Action, error) {
	a, ok := crisis.NewAction(charter.Action(name))
	if !ok {
		return nil, &kurultai.Error{Code: kurultai.CodeNotFound, Field: "action", Message: fmt.Sprintf("%q is not an action of the crisis mechanism", clip(name))}
	}
	obj := map[string]any{}
	t := reflect.TypeOf(a).Elem()
	for i := range t.NumField() {
		f := t.Field(i)
		key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if key == "" || key == "-" {
			continue
		}
		switch {
		case key == "items":
			items, err := formItems(form)
			if err != nil {
				return nil, err
			}
			if len(items) > 0 {
				obj[key] = items
			}
		case f.Type == reflect.TypeOf(time.Time{}) || f.Type == reflect.TypeOf(&time.Time{}):
			v := strings.TrimSpace(form.Get(key))
			if v == "" {
				continue
			}
			at, err := time.ParseInLocation(timeLayout, v, tz)
			if err != nil {
				return nil, kurultai.FieldError(key, "%q is not a date and time (YYYY-MM-DDTHH:MM)", clip(v))
			}
			obj[key] = at.UTC().Format(time.RFC3339)
		case f.Type.Kind() == reflect.Slice:
			var vs []string
			for _, v := range form[key] {
				if v = strings.TrimSpace(v); v != "" {
					vs = append(vs, v)
				}
			}
			if len(vs) > 0 {
				obj[key] = vs
			}
		case f.Type.Kind() == reflect.Bool:
			obj[key] = form.Get(key) == "true" || form.Get(key) == "on"
		default:
			if v := strings.TrimSpace(form.Get(key)); v != "" {
				obj[key] = v
			}
		}
	}
	body, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("web: form: %w", err)
	}
	return crisis.DecodeAction(name, body)
}

// formItems reads the item rows: item.N, quantity.N, unit.N. A row without
// an item is skipped; a row with an item needs a whole positive quantity.
func formItems(form url.Values) ([]crisis.Item, error) {
	var items []crisis.Item
	for i := range maxItems {
		n := strconv.Itoa(i)
		item := strings.TrimSpace(form.Get("item." + n))
		if item == "" {
			continue
		}
		q := strings.TrimSpace(form.Get("quantity." + n))
		qty, err := strconv.ParseInt(q, 10, 64)
		if err != nil || qty <= 0 {
			return nil, kurultai.FieldError("quantity."+n, "%q is not a whole number above zero", clip(q))
		}
		items = append(items, crisis.Item{Item: item, Quantity: qty, Unit: strings.TrimSpace(form.Get("unit." + n))})
	}
	return items, nil
}
