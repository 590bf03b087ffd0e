// Starts Swagger UI on Relay's own OpenAPI document. Everything it loads comes from this server: the validator badge
// (which would call validator.swagger.io) is off, and the page's Content-Security-Policy allows no other host.
"use strict";

window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  presets: [SwaggerUIBundle.presets.apis],
  plugins: [SwaggerUIBundle.plugins.DownloadUrl],
  layout: "BaseLayout",
  validatorUrl: null,
  deepLinking: true,
  // A pasted key (Authorize) survives reloads: Swagger UI keeps it in this browser's localStorage.
  persistAuthorization: true,
  displayRequestDuration: true,
  filter: true,
  docExpansion: "list",
  defaultModelsExpandDepth: 0,
  tryItOutEnabled: false,
});
