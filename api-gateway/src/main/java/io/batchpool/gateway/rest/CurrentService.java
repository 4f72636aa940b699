package io.batchpool.gateway.rest;

import io.batchpool.gateway.service.WebServiceService.ServiceView;
import jakarta.enterprise.context.RequestScoped;

/** The web service whose key authenticated the current BES request (set by {@link AuthFilter}). */
@RequestScoped
public class CurrentService {
    private ServiceView view;

    void set(ServiceView view) {
        this.view = view;
    }

    public ServiceView view() {
        if (view == null) {
            throw new IllegalStateException("request was not authenticated");
        }
        return view;
    }
}
