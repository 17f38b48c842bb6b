from rest_framework.routers import SimpleRouter

from .views import CategoryViewSet, DimensionValueViewSet, ProductViewSet, VariantViewSet

router = SimpleRouter()
router.register("products", ProductViewSet, basename="product")
# Variants nest under their master; `products/{number}/media...` belongs to the assignments app.
router.register(r"products/(?P<number>[^/]+)/variants", VariantViewSet, basename="product-variant")
router.register("dimension-values", DimensionValueViewSet, basename="dimension-value")
router.register("categories", CategoryViewSet, basename="category")

urlpatterns = router.urls
