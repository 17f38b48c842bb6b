"""The shop read API's routes, mounted first in config/urls.py: shops call them far more than
anything else, and Django tries URL patterns in order."""

from django.urls import path

from .shop_views import ShopCategoryMediaApi, ShopDefaultImagesApi, ShopProductMediaApi

urlpatterns = [
    path("products/<str:number>/media", ShopProductMediaApi.as_view(), name="shop-product-media"),
    path("products/media", ShopDefaultImagesApi.as_view(), name="shop-default-images"),
    path(
        "categories/<int:category_id>/media",
        ShopCategoryMediaApi.as_view(),
        name="shop-category-media",
    ),
]
