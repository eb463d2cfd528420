// Starts Swagger UI on /api/v1/docs from a file, so the page needs no inline script
// and keeps the same Content-Security-Policy as every other page.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/v1/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: false,
    // No OAuth flows here (staff use Bearer tokens): no oauth2-redirect page is served.
    oauth2RedirectUrl: undefined,
  });
});
