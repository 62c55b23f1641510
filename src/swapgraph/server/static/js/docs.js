// /docs: Swagger UI (shipped in the wheel under /static/vendor/) over the OpenAPI document.
// A file of its own because the Content-Security-Policy forbids inline script.

const root = document.getElementById("swagger-ui");
window.ui = window.SwaggerUIBundle({
  url: root.dataset.openapi,
  domNode: root,
  deepLinking: true,
  presets: [window.SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
