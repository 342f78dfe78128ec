// Swagger UI for this API, with nothing fetched from elsewhere (no validator badge).
window.addEventListener('load', function () {
  var root = document.getElementById('swagger-ui');
  window.ui = SwaggerUIBundle({
    url: root.getAttribute('data-spec'),
    dom_id: '#swagger-ui',
    validatorUrl: null,
    deepLinking: true,
    persistAuthorization: false,
  });
});
