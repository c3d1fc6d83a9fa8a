"""Channel sync: order pulls, stock and tracking pushes and webhooks for TikTok Shop, WooCommerce, Etsy, Square."""
