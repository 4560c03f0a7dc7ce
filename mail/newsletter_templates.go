package mail

import (
	"html/template"
	texttemplate "text/template"
)

// The emails' templates. The HTML is a single 600-pixel column in tables
// with every style inline, which is what mail clients render alike; the
// one <style> block only narrows the padding on small screens, for the
// clients that keep it. Images come from the site itself, with alt text.
var emailTemplates = template.Must(template.New("email").Parse(`
{{define "head"}}<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light only"><title>{{.}}</title>
<style>@media (max-width: 620px) { .column { padding: 16px !important; } }</style></head>
<body style="margin:0;padding:0;background:#f4f4f1;font-family:Georgia,'Times New Roman',serif">{{end}}

{{define "confirm"}}{{template "head" .Site.Title}}
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f1"><tr><td align="center">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff">
<tr><td class="column" style="padding:32px">
<p style="margin:0 0 16px;font-size:22px;font-weight:bold;color:#111">{{.Site.Title}}</p>
<p style="margin:0 0 16px;font-size:17px;line-height:1.6;color:#1a1a1a">Please confirm that you want our newsletters at this address.</p>
<p style="margin:0 0 24px"><a href="{{.Link}}" style="display:inline-block;padding:12px 20px;background:#a4161a;color:#ffffff;text-decoration:none;font-size:17px">Confirm my subscription</a></p>
<p style="margin:0 0 16px;font-size:14px;line-height:1.5;color:#555">The link works once, for 48 hours. If you did not ask for this, ignore this email: you will not hear from us again.</p>
</td></tr></table></td></tr></table></body></html>{{end}}

{{define "issue"}}{{template "head" .Article.Headline}}
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f1"><tr><td align="center">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff">
{{if .Test}}<tr><td style="padding:8px 32px;background:#fff3cd;font-family:Arial,sans-serif;font-size:13px;color:#5c4400">A test send: subscribers have not been emailed.</td></tr>{{end}}
<tr><td class="column" style="padding:24px 32px 0;font-family:Arial,sans-serif;font-size:13px;letter-spacing:.04em;text-transform:uppercase;color:#a4161a">{{.Site.Title}} · {{.Newsletter.Name}}</td></tr>
<tr><td class="column" style="padding:12px 32px 32px">
<h1 style="margin:0 0 12px;font-size:28px;line-height:1.2;color:#111"><a href="{{.URL}}" style="color:#111;text-decoration:none">{{.Article.Headline}}</a></h1>
{{with .Article.Dek}}<p style="margin:0 0 16px;font-size:19px;line-height:1.5;color:#444">{{.}}</p>{{end}}
{{if .Byline}}<p style="margin:0 0 20px;font-family:Arial,sans-serif;font-size:14px;color:#555">By {{range $i, $n := .Byline}}{{if $i}}, {{end}}{{$n}}{{end}}</p>{{end}}
{{with .Image}}<img src="{{.}}" alt="{{$.Article.Headline}}" width="536" style="display:block;width:100%;max-width:536px;height:auto;border:0;margin:0 0 20px">{{end}}
{{.Body}}
<p style="margin:24px 0 0"><a href="{{.URL}}" style="color:#a4161a;font-family:Arial,sans-serif;font-size:15px">Read it on {{.Site.Title}}</a></p>
</td></tr>
<tr><td class="column" style="padding:20px 32px;border-top:1px solid #e2e2dc;font-family:Arial,sans-serif;font-size:13px;line-height:1.5;color:#555">
You get {{.Newsletter.Name}} because you subscribed at {{.Site.Title}}.<br>
<a href="{{.Links.Unsubscribe}}" style="color:#555">Unsubscribe</a> · <a href="{{.Links.Preferences}}" style="color:#555">Choose your newsletters</a>
</td></tr></table></td></tr></table></body></html>{{end}}
`))

var confirmText = texttemplate.Must(texttemplate.New("confirm").Parse(`{{.Site.Title}}

Please confirm that you want our newsletters at this address:

{{.Link}}

The link works once, for 48 hours. If you did not ask for this, ignore
this email: you will not hear from us again.
`))

var issueText = texttemplate.Must(texttemplate.New("issue").Parse(`{{if .Test}}[A test send: subscribers have not been emailed.]

{{end}}{{.Site.Title}} · {{.Newsletter.Name}}

{{.Article.Headline}}
{{with .Article.Dek}}
{{.}}
{{end}}{{if .Byline}}
By {{range $i, $n := .Byline}}{{if $i}}, {{end}}{{$n}}{{end}}
{{end}}
{{.Article.BodyText}}

Read it on {{.Site.Title}}: {{.URL}}

-- 
You get {{.Newsletter.Name}} because you subscribed at {{.Site.Title}}.
Unsubscribe: {{.Links.Unsubscribe}}
Choose your newsletters: {{.Links.Preferences}}
`))
