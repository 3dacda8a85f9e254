#include "http/status_page.h"

namespace hotpod {

std::string_view statusPageHtml() {
  return R"html(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hotpod</title></head>
<body><h1>hotpod</h1><pre id="status">loading…</pre>
<script>
async function refresh(){const r=await fetch('/v1/status');document.getElementById('status').textContent=JSON.stringify(await r.json(),null,2);}
refresh();new EventSource('/v1/events').onmessage=refresh;
</script></body></html>
)html";
}

}  // namespace hotpod
